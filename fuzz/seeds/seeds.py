"""What the make_*_seeds.py scripts share: writing a corpus directory."""
import os
import sys


def write_seeds(default_dir, seeds):
    """Writes each seed (bytes) as DIR/seed-NAME; DIR is argv[1] or the
    default."""
    out = sys.argv[1] if len(sys.argv) > 1 else default_dir
    os.makedirs(out, exist_ok=True)
    for name, seed in seeds.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(seed)
