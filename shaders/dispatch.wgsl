// The workgroup width of the per-invocation kernels of a program apart from the training one
// (KNN-MIPS, item-kNN): pipeline-overridable, set by the host from src/gpu/kernelSizes.ts.
override WG: u32 = 64u;

// Dispatches larger than 65535 workgroups are split over y (src/gpu/kernels.ts dispatch); this is
// the flat invocation index.
fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}
