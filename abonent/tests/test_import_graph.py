"""No module imports itself back, through any chain and counting imports inside functions (grimp reads them all).

`make lint` checks the layers and, package by package, that sibling modules import one way (import-linter); this
also catches a package and one of its own modules importing each other, which the siblings contract cannot see.
"""

import grimp


def import_cycles(graph) -> list[list[str]]:
    """The graph's strongly connected components of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, targets = work[-1]
            target = next(targets, None)
            if target is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    component = []
                    while not component or component[-1] != module:
                        component.append(stack.pop())
                        on_stack.discard(component[-1])
                    if len(component) > 1:
                        cycles.append(sorted(component))
            elif target not in index:
                index[target] = low[target] = len(index)
                stack.append(target)
                on_stack.add(target)
                work.append((target, iter(sorted(graph.find_modules_directly_imported_by(target)))))
            elif target in on_stack:
                low[module] = min(low[module], index[target])
    return cycles


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
