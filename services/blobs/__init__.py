"""Where the bytes of files live: the BlobStore port (base.py) and its adapters (local.py, s3.py)."""
