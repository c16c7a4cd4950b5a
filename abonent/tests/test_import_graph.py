"""No module imports itself back, through any chain and counting imports inside functions (grimp reads them all).

`make lint` checks the layers and, package by package, that sibling modules import one way (import-linter); this
also catches a package and one of its own modules importing each other, which the siblings contract cannot see.
"""

from collections.abc import Iterator

import grimp


def import_cycles(graph) -> list[list[str]]:
    """The graph's strongly connected components of more than one module (Tarjan's algorithm, without recursion)."""
    search = _Tarjan(graph)
    for root in sorted(graph.modules):
        if root not in search.index:
            search.walk(root)
    return search.cycles


class _Tarjan:
    def __init__(self, graph) -> None:
        self.graph = graph
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.on_stack: set[str] = set()
        self.cycles: list[list[str]] = []
        self.work: list[tuple[str, Iterator[str]]] = []

    def walk(self, root: str) -> None:
        self._enter(root)
        while self.work:
            module, targets = self.work[-1]
            target = next(targets, None)
            if target is None:
                self._leave(module)
            elif target not in self.index:
                self._enter(target)
            elif target in self.on_stack:
                self.low[module] = min(self.low[module], self.index[target])

    def _enter(self, module: str) -> None:
        self.index[module] = self.low[module] = len(self.index)
        self.stack.append(module)
        self.on_stack.add(module)
        self.work.append((module, iter(sorted(self.graph.find_modules_directly_imported_by(module)))))

    def _leave(self, module: str) -> None:
        self.work.pop()
        if self.work:
            caller = self.work[-1][0]
            self.low[caller] = min(self.low[caller], self.low[module])
        if self.low[module] != self.index[module]:
            return
        component = []
        while not component or component[-1] != module:
            component.append(self.stack.pop())
            self.on_stack.discard(component[-1])
        if len(component) > 1:
            self.cycles.append(sorted(component))


def test_no_module_cycle():
    graph = grimp.build_graph("abonent", cache_dir=None)
    assert import_cycles(graph) == []


def test_the_check_finds_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("a", "a.b", "a.c", "a.d"):
        graph.add_module(module)
    graph.add_import(importer="a.b", imported="a.c")
    graph.add_import(importer="a.c", imported="a")
    graph.add_import(importer="a", imported="a.b")
    graph.add_import(importer="a.c", imported="a.d")
    assert import_cycles(graph) == [["a", "a.b", "a.c"]]
