import csv

from cosolve.train.log import append_csv


def test_csv_log_writes_the_header_once_and_appends_rows(tmp_path):
    path = tmp_path / "run.csv"
    append_csv(path, {"step": 1, "loss": 0.5, "note": "a"})
    append_csv(path, {"step": 2, "loss": 1 / 3, "note": "b"})
    rows = list(csv.DictReader(path.open()))
    assert [row["step"] for row in rows] == ["1", "2"]
    assert float(rows[1]["loss"]) == 0.333333
    assert path.read_text().count("step,loss,note") == 1
