"""The structure tree and the bookmarks of a merged PDF, made from those of its documents.

Each document's tagged content stays tagged: its structure elements go under one /Part
element (titled with the document's name, with the document's /Lang) below the merged
file's one /Document element, and the keys of its parent tree are shifted past those of the
documents before it, on its pages (/StructParents) and annotations (/StructParent) too.
The bookmarks are one top-level item per document, with its own bookmarks nested below.
"""

from __future__ import annotations


def _number_tree(node, found: list) -> None:
    """The (key, value) pairs of a number tree, from its leaves."""
    nums = node.get('/Nums')
    if nums is not None:
        found.extend((int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2))
    for kid in node.get('/Kids') or ():
        _number_tree(kid, found)


class StructureMerger:
    """Collects the structure trees of the documents appended to ``document``, in order."""

    def __init__(self, document, lang: str):
        import pikepdf
        self.document = document
        self.lang = lang
        self.nums = pikepdf.Array()
        self.next_key = 0
        self.namespaces = pikepdf.Array()
        self.role_map = pikepdf.Dictionary()
        self.class_map = pikepdf.Dictionary()
        self.element = document.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, K=pikepdf.Array()))
        self.tagged = False

    def add(self, source, start: int, count: int, title: str) -> None:
        """Add ``source``'s tree; its pages are already appended at ``start``."""
        import pikepdf
        document = self.document
        tree = source.Root.get('/StructTreeRoot')
        if tree is None:
            # An untagged document (an included original) stays untagged; its part still
            # names it, in order, so that the tree lists every document.
            self.element.K.append(document.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem, S=pikepdf.Name.Part, P=self.element,
                T=pikepdf.String(title))))
            return
        self.tagged = True
        tree = document.copy_foreign(tree)   # its /Pg refer to the pages already copied
        offset = self.next_key
        pairs: list = []
        if '/ParentTree' in tree:
            _number_tree(tree.ParentTree, pairs)
        for key, value in sorted(pairs, key=lambda pair: pair[0]):
            self.nums.append(key + offset)
            self.nums.append(value)
        last = max((key for key, _ in pairs), default=-1)
        self.next_key = offset + max(int(tree.get('/ParentTreeNextKey', 0)), last + 1)
        for page in document.pages[start:start + count]:
            if '/StructParents' in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get('/Annots') or ():
                if '/StructParent' in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        for name in ('/RoleMap', '/ClassMap'):
            mapping = tree.get(name)
            if mapping is not None:
                target = self.role_map if name == '/RoleMap' else self.class_map
                for key, value in mapping.items():
                    if key not in target:
                        target[key] = value
        for namespace in tree.get('/Namespaces') or ():
            self.namespaces.append(namespace)
        kids = tree.get('/K')
        kids = [] if kids is None else list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        children = []
        for kid in kids:
            # A document's own /Document element: its children are the part's.
            if isinstance(kid, pikepdf.Dictionary) and kid.get('/S') == pikepdf.Name.Document:
                inner = kid.get('/K')
                if inner is None:
                    continue
                children += list(inner) if isinstance(inner, pikepdf.Array) else [inner]
            else:
                children.append(kid)
        part = document.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Part, P=self.element,
            T=pikepdf.String(title), K=pikepdf.Array(children)))
        lang = source.Root.get('/Lang')
        if lang is not None and str(lang) != self.lang:
            part.Lang = lang
        for child in children:
            if isinstance(child, pikepdf.Dictionary) and child.get('/Type') != pikepdf.Name.MCR:
                if '/S' in child:
                    child.P = part
        self.element.K.append(part)

    def finish(self) -> None:
        """Write the merged tree into the document (nothing if no document was tagged)."""
        import pikepdf
        if not self.tagged:
            return
        root = self.document.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructTreeRoot, K=self.element,
            ParentTree=self.document.make_indirect(pikepdf.Dictionary(Nums=self.nums)),
            ParentTreeNextKey=self.next_key))
        if len(self.role_map):
            root.RoleMap = self.role_map
        if len(self.class_map):
            root.ClassMap = self.class_map
        if len(self.namespaces):
            root.Namespaces = self.namespaces
        self.element.P = root
        self.document.Root.StructTreeRoot = root
        self.document.Root.MarkInfo = pikepdf.Dictionary(Marked=True)


def _destination(document, destination, pages: dict, start: int):
    """``destination`` (an explicit one, of the source) pointing at the merged pages."""
    import pikepdf
    if isinstance(destination, pikepdf.Array) and len(destination):
        target = destination[0]
        index = pages.get(target.objgen) if isinstance(target, pikepdf.Dictionary) else None
        if index is not None:
            return pikepdf.Array([document.pages[start + index].obj, *list(destination)[1:]])
    return None


def outline_items(document, source, start: int) -> list:
    """``source``'s bookmarks as items of ``document``, whose pages begin at ``start``."""
    import pikepdf
    pages = {page.objgen: index for index, page in enumerate(source.pages)}

    def copy(items) -> list:
        copied = []
        for item in items:
            destination = item.destination
            if destination is None and item.action is not None and item.action.get('/S') == \
                    pikepdf.Name.GoTo:
                destination = item.action.get('/D')
            new = pikepdf.OutlineItem(item.title)
            target = _destination(document, destination, pages, start)
            if target is not None:
                new.destination = target
            new.children.extend(copy(item.children))
            new.is_closed = item.is_closed
            copied.append(new)
        return copied

    if '/Outlines' not in source.Root:
        return []
    # Read only: the source's outline is not saved back.
    return copy(source.open_outline().root)
