"""The store port, one Protocol per capability; services/store/base.py joins them into `Store`."""
