"""`align review`: correct an alignment in the browser.

edits.py   the edits (approve, reject, merge, split, move a boundary segment, no counterpart) as pure functions
store.py   reading the alignment, resuming a review, saving it after every change, the lock on the output
page.py    the page (the static review view's header and table, drawn a page of links at a time)
server.py  the local web app: 127.0.0.1, a random token, a small JSON API
"""
