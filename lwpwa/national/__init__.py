"""The national tier: the ministry's (or 开放大学's) account of region 000000, its dashboard by
province, national weeks whose provinces hold their own weeks under them."""
