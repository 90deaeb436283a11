"""The README's recipe for JVM clients, run as written."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import DATA, Netns, flowaudit_argv, observations


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("java", "javac", "keytool")), reason="needs a JDK (java, javac, keytool)"
)
def test_jvm_recipe(netns: Netns, tmp_path: Path) -> None:
    subprocess.run(["javac", "-d", str(tmp_path), str(DATA / "Track.java")], check=True, timeout=120)
    # The CA exists once the proxy has run.
    assert netns.run(flowaudit_argv("record", "--confdir", netns.confdir, "--no-audit", "--", "true")).returncode == 0
    store = tmp_path / "flowaudit-ca.p12"
    keytool = ["keytool", "-importcert", "-noprompt", "-alias", "flowaudit", "-file", str(netns.ca_cert)]
    keytool += ["-keystore", str(store), "-storetype", "PKCS12", "-storepass", "changeit"]
    subprocess.run(keytool, check=True, capture_output=True, timeout=60)
    java_options = (
        "-Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=8080 -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=8080 "
        f"-Dhttp.nonProxyHosts=localhost|127.0.0.1 -Djavax.net.ssl.trustStore={store} "
        "-Djavax.net.ssl.trustStorePassword=changeit"
    )
    capture = tmp_path / "jvm.mitm"
    run = netns.run(
        flowaudit_argv("record", "--confdir", netns.confdir, "--sinkhole", "all", "-w", capture, "--no-audit")
        + ["--command-output", str(tmp_path / "java.out")]
        + ["--", "env", f"JAVA_TOOL_OPTIONS={java_options}", "java", "-cp", str(tmp_path), "Track"]
    )
    assert run.returncode == 0, run.stderr
    # (the file also holds the JVM's "Picked up JAVA_TOOL_OPTIONS" notice, from its standard error)
    assert (tmp_path / "java.out").read_text().splitlines()[-2:] == ["200", "200"]
    assert [(o.method, o.host) for o in observations(capture)] == [
        ("POST", "api.segment.io"),
        ("GET", "api.mixpanel.com"),
    ]
