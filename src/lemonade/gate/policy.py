"""What a model file may use: the allow- and deny-lists behind the static check (`static`).

Everything here is data; `static` applies it. A list that grows should grow here, with a reason.
"""

from __future__ import annotations

# Modules a model file may import (`import X`, `import X as Y`, `from X import ...`).
ALLOWED_IMPORTS: tuple[str, ...] = (
    "torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "math", "typing",
    "collections", "collections.abc", "functools",
)
# What to write instead of a module (or a name imported from it) that is not allowed: the
# refusal says it, so one repair fixes it.
IMPORT_ALTERNATIVES: dict[str, str] = {
    "numpy": "use math or torch",
    "np": "use math or torch",
    "torchvision": "write the block with torch.nn layers",
    "timm": "write the block with torch.nn layers",
    "einops": "use tensor.reshape / permute / flatten",
    "dataclasses": "pass plain constructor arguments (or a dict) instead of a dataclass",
    "torch.optim": "leave training to lemonade: no optimizer in the model file",
    "torch.utils": "leave data loading and training to lemonade",
    "torch.utils.data": "leave data loading and training to lemonade",
    "torch.jit": "drop TorchScript (decorators, torch.jit calls): lemonade exports with "
                 "torch.export",
    "random": "leave seeding to lemonade",
    "copy": "build a new layer instead of copying one (copy.deepcopy is not needed)",
    "Conv2dNormActivation": "write it as nn.Sequential(nn.Conv2d, nn.BatchNorm2d, nn.ReLU)",
    "ConvNormActivation": "write it as nn.Sequential(nn.Conv2d, nn.BatchNorm2d, nn.ReLU)",
    "SqueezeExcitation": "write it as a small nn.Module: x * sigmoid(conv1x1(relu(conv1x1("
                         "adaptive_avg_pool2d(x, 1)))))",
    "StochasticDepth": "use nn.Identity() (or scale a random per-sample mask with torch.rand "
                       "in training)",
    "MLP": "write it as nn.Sequential(nn.Linear, nn.ReLU, nn.Linear)",
}
# Modules an attribute chain may pass through (`torch.nn.init.kaiming_normal_`, `F.torch.cat`).
# Everything else reached from an allowed module (torch.os, typing.sys, F.np, torch.utils,
# torch.hub, torch.jit, torch.cuda, torch.distributed, ...) is rejected.
ALLOWED_MODULES: frozenset[str] = frozenset({
    *ALLOWED_IMPORTS,
    "torch.nn.parameter", "torch.nn.common_types", "torch.nn.modules",
    "torch.nn.utils", "torch.nn.utils.parametrize", "torch.nn.utils.parametrizations",
    "torch.nn.utils.rnn", "torch.nn.utils.fusion", "torch.nn.utils.weight_norm",
    "torch.nn.utils.spectral_norm", "torch.nn.attention",
    "torch.fft", "torch.linalg", "torch.special", "torch.functional", "torch.autograd",
    "torch.autograd.function", "torch.autograd.grad_mode", "torch.types", "torch.return_types",
    "torch.amp", "torch.sparse",
})
ALLOWED_MODULE_PREFIXES: tuple[str, ...] = ("torch.nn.modules.",)
# Allowed objects inside otherwise forbidden modules.
ALLOWED_DOTTED: frozenset[str] = frozenset({"torch.cuda.is_available", "torch.cuda.device_count"})
# Functions of allowed modules that load/save files, evaluate strings, compile or change the
# process (threads): rejected by identity, whatever name or alias reaches them.
FORBIDDEN_OBJECTS: tuple[str, ...] = (
    "torch.load", "torch.save", "torch.from_file", "torch.compile", "torch.set_num_threads",
    "torch.set_num_interop_threads", "torch.set_default_device", "typing.get_type_hints",
    "typing.ForwardRef", "torch.nn.Module.compile", "torch.nn.Module.share_memory",
    "torch.Tensor.share_memory_", "torch.Tensor.numpy",
    # they evaluate annotations, strings included, with the model's globals
    # (tests/test_string_eval.py finds every such helper in the allowed modules)
    "functools.singledispatch", "functools.singledispatchmethod", "typing.evaluate_forward_ref",
    "typing.get_annotations",
)
# Builtins that run code, load modules, touch files or the interpreter. A function parameter of
# the same name (`def forward(self, input)`) shadows the builtin and is fine.
FORBIDDEN_NAMES: frozenset[str] = frozenset({
    "__import__", "eval", "exec", "compile", "open", "input", "globals", "locals", "vars",
    "breakpoint", "memoryview", "help", "exit", "quit", "copyright", "credits", "license",
    "reload", "execfile", "file",
})
# Builtins that take an attribute name.
ATTR_BUILTINS: frozenset[str] = frozenset({"getattr", "setattr", "delattr", "hasattr"})
# The same, spelt as methods of the model itself (`self.__setattr__('level_%d' % i, m)`).
SELF_ATTR_METHODS: frozenset[str] = frozenset({"__getattr__", "__setattr__", "__delattr__"})
# Attributes that are dangerous on *runtime* objects, where the receiver cannot be resolved
# statically: frame and code internals, the numpy bridge (ndarray.tofile/dump write files),
# storage files and shared memory, torch's own save/load, str.format_map.
FORBIDDEN_ATTRS: frozenset[str] = frozenset({
    "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame",
    "ag_code", "f_globals", "f_builtins", "f_locals", "f_back", "f_code", "tb_frame", "tb_next",
    "co_code", "func_globals", "func_code", "im_func", "mro",
    "numpy", "tofile", "dump", "dumps", "from_file", "share_memory_", "share_memory",
    "load", "save", "compile", "format_map", "set_num_threads", "set_num_interop_threads",
    "DataLoader", "cpp_extension", "load_inline", "model_zoo",
})
# Names getattr/setattr/... may never use, on top of FORBIDDEN_ATTRS, dunders and private names:
# `getattr("{0.__class__}", "format")` reaches str.format without a literal receiver.
FORBIDDEN_ATTR_NAMES: frozenset[str] = FORBIDDEN_ATTRS | {"format"}
# Double-underscore names a model file may use at all.
ALLOWED_DUNDERS: frozenset[str] = frozenset({"__init__", "__future__"})
# ... may define as methods (`def __repr__(self)`); nothing that changes comparison or arithmetic.
DEFINABLE_DUNDERS: frozenset[str] = frozenset({"__init__", "__repr__", "__str__", "__len__"})
# ... may read as attributes (`type(self).__name__` in a __repr__); strings, nothing more.
READABLE_DUNDER_ATTRS: frozenset[str] = frozenset({"__init__", "__name__", "__qualname__"})
# Module-level names a model file may bind though they are dunders.
TOP_LEVEL_DUNDERS: frozenset[str] = frozenset({"__all__"})
# Calls allowed where code runs at import time (top level, class bodies), by the object called.
IMPORT_TIME_CALLS: frozenset[str] = frozenset({
    "functools.partial",
    *(f"math.{f}" for f in ("sqrt", "log", "log2", "log10", "exp", "floor", "ceil", "sin", "cos",
                            "tan", "atan", "atan2", "radians", "degrees", "hypot", "fabs",
                            "isqrt", "gcd", "prod")),
})
# `[2] * 3` at import time: a literal sequence repeated at most this often.
MAX_IMPORT_TIME_REPEAT = 1024
MAX_SOURCE_CHARS = 200_000  # a model file is a few KB; a megabyte of code is an attack or a bug
MAX_AST_DEPTH = 200  # a real model file nests ~20 deep; 1+1+...+1 (600 terms) broke ast.unparse
MAX_MESSAGE_CHARS = 300  # one violation message
MAX_VIOLATIONS = 50  # violations returned for one file; the last one then says how many more
