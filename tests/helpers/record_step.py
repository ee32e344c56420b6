# Runs an exported gatlab_pyg.py as it is, recording the gradients each optimizer step is given:
#   record_step.py OUT_PREFIX gatlab_pyg.py WEIGHTS [script options]
# Each process writes OUT_PREFIX.rank<R>.json, the gradients of the script's last step (the
# parameters in the optimizer's order), so a test can see what DistributedDataParallel averaged.
import json
import os
import runpy
import sys

import torch

prefix, script = sys.argv[1], sys.argv[2]
sys.argv = [script] + sys.argv[3:]


class RecordingAdam(torch.optim.Adam):
    def step(self, closure=None):
        grads = [p.grad.flatten().tolist() for group in self.param_groups for p in group['params']]
        with open(f"{prefix}.rank{os.environ.get('RANK', '0')}.json", 'w') as f:
            json.dump(grads, f)
        return super().step(closure)


# The script looks the optimizer up when it trains, so it gets this one.
torch.optim.Adam = RecordingAdam
runpy.run_path(script, run_name='__main__')
