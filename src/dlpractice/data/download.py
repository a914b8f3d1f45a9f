"""Fetching a dataset archive once into the data folder: atomically, and with a one-line error when it cannot.

For the datasets torchvision does not know (text corpora). A file is written beside its final name and renamed
when complete, so an interrupted download never leaves a truncated file that would later pass for the real one.
"""

from __future__ import annotations

import os
import shutil
import urllib.request
from pathlib import Path

from dlpractice.course.errors import UserError
from dlpractice.data.root import downloads_allowed


def fetch(url: str, target: Path, name: str, where: Path, download: bool = True) -> Path:
    """`target` if it exists, else downloaded from `url`; a UserError naming `where` (the folder to fill by hand)
    when downloads are off or fail."""
    if target.is_file():
        return target
    if not downloads_allowed(download):
        raise UserError(f"{name} not found in {where} and downloads are off ($DLPRACTICE_OFFLINE=1 or download=False): "
                        f"run once online, or put the files in {where}, or pass --data-dir (or set $DLPRACTICE_DATA) "
                        "to a folder that has them")
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out)
        os.replace(partial, target)
    except OSError as err:  # URLError and timeouts are OSErrors too
        partial.unlink(missing_ok=True)
        reason = " ".join(str(getattr(err, "reason", err)).split())[:200]
        raise UserError(f"{name} not found in {where} and could not download it from {url} ({reason}): put the "
                        f"files in {where}, or pass --data-dir (or set $DLPRACTICE_DATA) to a folder that has "
                        "them") from None
    return target
