# Setup, the same first cell in every episode: where dql_teach is
# missing (Colab), install it from the book's repository.
import importlib.util
import subprocess
import sys

REPOSITORY = "https://github.com/dql-teach/dql-teach"
if importlib.util.find_spec("dql_teach") is None:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", f"git+{REPOSITORY}"],
        check=True,
    )

import torch

import dql_teach as dql

torch.manual_seed(0)
print(f"torch {torch.__version__}, dql_teach {dql.__version__}, "
      f"device: {dql.default_device()}")
