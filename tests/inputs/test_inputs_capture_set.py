"""What the engine and CLI see: inputs named on the command line, folders, custody, mistakes."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.inputs import open_inputs

from .conftest import REALWORLD, TESTDATA, Read


def test_inputs_are_read_in_the_order_named(read: Read) -> None:
    har = str(REALWORLD / "sdk/segment/flows.har")
    mitm = str(REALWORLD / "sdk/mixpanel/flows.mitm")
    observations, inputs = read(har, mitm)
    assert [o.ref for o in observations] == [f"{har}#1", f"{har}#2", f"{mitm}#1", f"{mitm}#2"]
    assert [(i.path, i.format, i.flows) for i in inputs] == [(har, "har", 2), (mitm, "mitm", 2)]


def test_folder_is_walked_recursively_in_sorted_order_skipping_non_captures(read: Read) -> None:
    folder = str(REALWORLD / "sdk")
    observations, inputs = read(folder)
    expected = [
        os.path.join(folder, name, file)
        for name in ("mixpanel", "segment", "sentry", "sentry-gzip")
        for file in ("flows.har", "flows.mitm")
    ]
    assert [i.path for i in inputs] == expected  # client.py in each folder passed over
    assert {o.source for o in observations} == set(expected)
    assert observations[0].ref == os.path.join(folder, "mixpanel", "flows.har") + "#1"
    assert sum(i.flows for i in inputs) == len(observations) == 12


def test_file_named_twice_is_read_once(read: Read) -> None:
    file = str(REALWORLD / "sdk/segment/flows.mitm")
    _, inputs = read(file, REALWORLD / "sdk/segment", file)
    assert [i.path for i in inputs] == [file, os.path.join(str(REALWORLD / "sdk/segment"), "flows.har")]


def test_custody_info_hashes_the_whole_file(read: Read) -> None:
    path = REALWORLD / "browser/mixpanel/flows.har"
    _, (info,) = read(path)
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_custody_info_is_complete_only_after_iteration() -> None:
    captures = open_inputs([str(REALWORLD / "sdk/mixpanel/flows.mitm"), str(REALWORLD / "sdk/segment/flows.har")])
    stream = iter(captures)
    next(stream)
    assert captures.inputs == ()
    rest = list(stream)
    assert len(rest) == 3 and len(captures.inputs) == 2
    list(captures)  # a second pass starts the record over
    assert len(captures.inputs) == 2


def test_missing_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.mitm")
    with pytest.raises(FlowauditError) as caught:
        open_inputs([missing])
    assert str(caught.value) == f"{missing}: no such file or folder"


def test_nothing_named() -> None:
    with pytest.raises(FlowauditError, match="no capture given"):
        open_inputs([])


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "flows.mitm"
    path.touch()
    with pytest.raises(FlowauditError) as caught:
        open_inputs([str(path)])
    assert caught.value.message == "the file is empty: nothing was captured into it"
    assert caught.value.path == str(path)


def test_file_that_is_not_a_capture(tmp_path: Path) -> None:
    path = tmp_path / "capture.mitm"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(FlowauditError) as caught:
        open_inputs([str(path)])
    assert str(caught.value) == (
        f"{path}: not a capture: expected a mitmproxy flow file or a HAR file (found binary data)"
    )


def test_errors_are_raised_when_opening_not_when_reading(tmp_path: Path) -> None:
    # A typo in the third input must fail before the first is read.
    with pytest.raises(FlowauditError, match=r"page\.html: not a capture"):
        open_inputs([str(REALWORLD / "sdk/mixpanel/flows.mitm"), str(REALWORLD / "browser/mixpanel/page.html")])


def test_folder_without_captures(tmp_path: Path) -> None:
    shutil.copy(REALWORLD / "sdk/mixpanel/client.py", tmp_path / "client.py")
    (tmp_path / "empty.mitm").touch()
    with pytest.raises(FlowauditError) as caught:
        open_inputs([str(tmp_path)])
    assert caught.value.message == (
        "no capture in this folder (2 files looked at); expected a mitmproxy flow file or a HAR file"
    )


def test_hidden_files_and_folders_are_passed_over(read: Read, tmp_path: Path) -> None:
    (tmp_path / ".cache").mkdir()
    shutil.copy(REALWORLD / "sdk/segment/flows.mitm", tmp_path / ".cache" / "old.mitm")
    shutil.copy(REALWORLD / "sdk/segment/flows.mitm", tmp_path / ".hidden.mitm")
    shutil.copy(REALWORLD / "sdk/mixpanel/flows.mitm", tmp_path / "visible.mitm")
    _, inputs = read(tmp_path)
    assert [i.path for i in inputs] == [os.path.join(str(tmp_path), "visible.mitm")]


def test_truncated_capture_in_a_folder_is_incomplete_not_an_error(read: Read, tmp_path: Path) -> None:
    data = (REALWORLD / "sdk/mixpanel/flows.mitm").read_bytes()
    (tmp_path / "a.mitm").write_bytes(data[:-10])
    shutil.copy(REALWORLD / "sdk/segment/flows.har", tmp_path / "b.har")
    observations, (a, b) = read(tmp_path)
    assert (a.complete, a.flows, b.complete, b.flows) == (False, 1, True, 2)
    assert len(observations) == 3


def test_broken_har_inside_a_folder_is_an_error_naming_it(tmp_path: Path) -> None:
    shutil.copytree(TESTDATA / "corrupted_har", tmp_path / "caps")
    captures = open_inputs([str(tmp_path / "caps")])
    with pytest.raises(FlowauditError) as caught:
        list(captures)
    assert caught.value.path == os.path.join(str(tmp_path / "caps"), "brokenfile.har")


def test_fifo_is_refused_by_name_and_passed_over_in_a_folder(read: Read, tmp_path: Path) -> None:
    # Opening a pipe to sniff it would block until a writer appears.
    fifo = tmp_path / "live.mitm"
    os.mkfifo(fifo)
    with pytest.raises(FlowauditError, match="not a regular file or folder"):
        open_inputs([str(fifo)])
    shutil.copy(REALWORLD / "sdk/segment/flows.mitm", tmp_path / "saved.mitm")
    _, inputs = read(tmp_path)
    assert [i.path for i in inputs] == [os.path.join(str(tmp_path), "saved.mitm")]
