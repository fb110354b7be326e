"""Shared by the CLI tests: run the command in-process and check a one-line error."""
from warpbench.cli import main


def run_cli(capsys, *argv):
    """(exit status, stdout, stderr) of ``warpbench *argv``."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, *fragments):
    """Exit status 2, exactly one line on stderr, no traceback, and every fragment in it."""
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    for fragment in fragments:
        assert fragment in err, err
