"""Local tooling for the site: a static file server and the all-in-one dev server."""
