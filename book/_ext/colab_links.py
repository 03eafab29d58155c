"""The Colab button opens the plain-Markdown copy of a notebook (book/colab/), not the source.

Colab renders CommonMark and `$` math only; the source notebooks use MyST roles and fences that it
would show raw. tests/handouts.py writes the copies; tests/test_handouts.py checks they are current.
Binder keeps the source notebook: its JupyterLab renders MyST with jupyterlab-myst.
"""

SOURCE, COPY = "/notebooks/", "/book/colab/"


def point_colab_at_copies(app, pagename, templatename, context, doctree):
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("text") == "Colab" and SOURCE in button.get("url", ""):
                button["url"] = button["url"].replace(SOURCE, COPY, 1)


def setup(app):
    # sphinx-book-theme adds the launch buttons at priority 501; this runs after it.
    app.connect("html-page-context", point_colab_at_copies, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
