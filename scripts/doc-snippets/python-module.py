# bindings/python/README.md: statements of a module that imported the package.
import sv2
import sv2.aio

@SNIPPET@
