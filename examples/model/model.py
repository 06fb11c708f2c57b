"""The model explorer's Python: the choice of a version, its objects loaded with progress,
counted by type, and one type's properties as a table.

Everything from the server reaches the page as text (``textContent``, ``Option``), never
as markup.
"""

import asyncio
from collections import Counter
from urllib.parse import parse_qs, urlencode

from pyscript import document, when, window

from pyapp import SpeckleError, connect, flat_properties, walk
from pyapp.messages import message_for

speckle = connect(config_file="config.json")
pending = set()  # running tasks stay referenced until they end
#: The versions in the version list, by id: a version names its root object.
versions = {}
#: The loaded model's objects by type, for the properties table.
by_type = {}
#: Rows and columns the properties table shows at most: a page, not a spreadsheet.
MAX_ROWS, MAX_COLUMNS = 100, 8


def element(element_id):
    return document.getElementById(element_id)


def show_error(error):
    message = message_for(error)
    element("error").textContent = f"{message.title} {message.detail}".strip()
    element("error").hidden = False


def chosen():
    """The choice the address keeps: {"project": …, "model": …, "version": …}."""
    query = parse_qs(str(window.location.search).lstrip("?"))
    return {key: query[key][0] for key in ("project", "model", "version") if key in query}


def keep_choice(**choice):
    """Put the choice in the address (without a new history entry), so it can be shared."""
    query = urlencode({key: value for key, value in choice.items() if value})
    address = str(window.location.pathname) + ("?" + query if query else "")
    window.history.replaceState(None, "", address)


def fill(select_id, options, selected):
    """``options``: (value, label) pairs after the placeholder; a chosen value the list
    lacks (a project further down than the first page) is added by its id."""
    select = element(select_id)
    placeholder = select.options.item(0)
    select.replaceChildren(placeholder)
    values = [value for value, _ in options]
    if selected and selected not in values:
        options = [*options, (selected, selected)]
    for value, label in options:
        select.append(window.Option.new(label, value))  # text, never HTML
    select.value = selected if selected else ""
    select.disabled = False


def clear_result():
    element("download").hidden = True
    element("result").hidden = True


async def show_projects(choice):
    page = await speckle.projects()
    fill("project", [(p.id, p.name) for p in page.items], choice.get("project"))
    if choice.get("project"):
        await show_models(choice)


async def show_models(choice):
    page = await speckle.models(choice["project"])
    fill("model", [(m.id, m.name) for m in page.items], choice.get("model"))
    if choice.get("model"):
        await show_versions(choice)


async def show_versions(choice):
    page = await speckle.versions(choice["project"], choice["model"])
    versions.clear()
    versions.update((v.id, v) for v in page.items)
    labels = [(v.id, f"{(v.created_at or '')[:16].replace('T', ' ')} {v.message or ''}".strip())
              for v in page.items]
    selected = choice.get("version") or (page.items[0].id if page.items else None)
    fill("version", labels, selected)
    element("load").disabled = not selected
    if choice.get("version"):  # a shared link, or the page again after the login
        await load(choice["project"], choice["version"])


async def load(project_id, version_id):
    version = versions.get(version_id)
    root_id = version.referenced_object if version else None
    if not root_id:
        element("error").textContent = "This version holds no objects to load."
        element("error").hidden = False
        return
    clear_result()
    element("download").hidden = False
    element("load").disabled = True
    document.body.dataset.state = "loading-model"

    def progress(loaded, total):
        if loaded % 250 and loaded != total:
            return  # the page is drawn between chunks anyway; fewer updates, less work
        element("progress").max = total or loaded
        element("progress").value = loaded
        counted = f"{loaded:,} of {total:,}" if total else f"{loaded:,}"
        element("status").textContent = f"{counted} objects"

    try:
        model = await speckle.load(project_id, root_id, progress=progress)
    except SpeckleError as error:
        element("download").hidden = True
        show_error(error)
        document.body.dataset.state = "failed"
        return
    finally:
        element("load").disabled = False
    show_model(model)


def show_model(model):
    by_type.clear()
    for obj in walk(model):
        by_type.setdefault(obj["speckle_type"], []).append(obj)
    counts = Counter({kind: len(objs) for kind, objs in by_type.items()})
    element("status").textContent = f"Loaded {counts.total():,} objects."
    body = element("types").tBodies.item(0)
    body.replaceChildren()
    for kind, count in counts.most_common():
        row = body.insertRow()
        row.insertCell().textContent = kind
        cell = row.insertCell()
        cell.className = "count"
        cell.textContent = f"{count:,}"
    fill("type", [(kind, kind) for kind, _ in counts.most_common()], counts.most_common(1)[0][0])
    show_properties(element("type").value)
    element("result").hidden = False
    document.body.dataset.state = "model-loaded"


def show_properties(kind):
    objects = by_type.get(kind, [])
    rows = [flat_properties(obj) for obj in objects[:MAX_ROWS]]
    columns = list(dict.fromkeys(name for row in rows for name in row))[:MAX_COLUMNS]
    table = element("properties")
    head = table.tHead
    head.replaceChildren()
    header = head.insertRow()
    for name in columns:
        cell = document.createElement("th")
        cell.scope = "col"
        cell.textContent = name
        header.append(cell)
    body = table.tBodies.item(0)
    body.replaceChildren()
    for values in rows:
        row = body.insertRow()
        for name in columns:
            value = values.get(name)
            row.insertCell().textContent = "" if value is None else str(value)
    element("shown").textContent = f"{len(rows):,} of {len(objects):,} {kind} objects shown."


def start(coroutine):
    """Run a step of the page as a task; a failure is shown, not lost."""
    async def guarded():
        try:
            await coroutine
        except SpeckleError as error:
            show_error(error)

    task = asyncio.ensure_future(guarded())
    pending.add(task)
    task.add_done_callback(pending.discard)


@when("change", "#project")
def project_chosen(event):
    element("error").hidden = True
    clear_result()
    keep_choice(project=event.target.value)
    for select_id in ("model", "version"):
        fill(select_id, [], None)
        element(select_id).disabled = True
    element("load").disabled = True
    if event.target.value:
        start(show_models(chosen()))


@when("change", "#model")
def model_chosen(event):
    element("error").hidden = True
    clear_result()
    keep_choice(project=element("project").value, model=event.target.value)
    fill("version", [], None)
    element("version").disabled = True
    element("load").disabled = True
    if event.target.value:
        start(show_versions(chosen()))


@when("change", "#version")
def version_chosen(event):
    element("load").disabled = not event.target.value


@when("submit", "#choice")
def load_chosen(event):
    event.preventDefault()
    element("error").hidden = True
    choice = {key: element(key).value for key in ("project", "model", "version")}
    keep_choice(**choice)
    start(load(choice["project"], choice["version"]))


@when("change", "#type")
def type_chosen(event):
    show_properties(event.target.value)


async def finish(login):
    try:
        await login  # the popup's answer is exchanged here; on_change re-renders the page
    except SpeckleError as error:
        show_error(error)
        element("login").disabled = False


@when("click", "#login")
def log_in(event):
    # A plain (not async) handler: login() opens the popup during the click, as popup
    # blockers require; the rest of the login runs as a task.
    element("error").hidden = True
    element("login").disabled = True
    task = asyncio.ensure_future(finish(speckle.login(popup=True)))
    pending.add(task)
    task.add_done_callback(pending.discard)


@when("click", "#logout")
async def log_out(event):
    await speckle.logout()  # the on_change listener re-renders


async def render():
    signed_in = speckle.signed_in
    element("login").hidden = signed_in
    element("login").disabled = False
    element("logout").hidden = not signed_in
    element("choice").hidden = not signed_in
    clear_result()
    if not signed_in:
        element("who").textContent = ""
        document.body.dataset.state = "signed-out"
        return
    user = await speckle.user()
    element("who").textContent = f"Signed in as {user.name}" if user else ""
    document.body.dataset.state = "signed-in"
    await show_projects(chosen())


# Sign-in and sign-out, here or in another tab, re-render the page.
speckle.on_change(lambda session: start(render()))
start(render())
