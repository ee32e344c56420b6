import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app is a static page: the engine runs in the browser's WebGPU, nothing on a server.
export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  worker: { format: 'es' },
});
