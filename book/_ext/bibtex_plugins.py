"""Look up pybtex's plugins once per build, not once per citation.

sphinxcontrib-bibtex asks pybtex for a style or backend plugin for every citation it resolves
(about 350 in this book), and each lookup scans the entry points of every installed package:
about 10 s of the site's build. The installed packages do not change during a build, so each
scan's result is kept. Plugins registered at run time are still looked up first, as before.
"""
import functools

import pybtex.plugin


def setup(app):
    scan = pybtex.plugin.entry_points
    if not hasattr(scan, "cache_info"):
        @functools.lru_cache(maxsize=None)
        def cached(group, name):
            return tuple(scan(group=group, name=name))

        def entry_points(*, group, name):
            return cached(group, name)

        entry_points.cache_info = cached.cache_info
        pybtex.plugin.entry_points = entry_points
    return {"parallel_read_safe": True, "parallel_write_safe": True}
