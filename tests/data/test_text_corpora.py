"""Text corpora of lab 07: the Lee corpus ships with gensim; MR, SST-2 and text8 are read from a data folder (in
either layout: ours or the archive's own), downloaded atomically when online, and refused in one line when absent
offline; the review snippets are balanced and distinct."""

import io
import tarfile
import zipfile

import pytest

from dlpractice.course.errors import UserError
from dlpractice.data.download import fetch
from dlpractice.data.lee_corpus import lee_corpus
from dlpractice.data.movie_reviews import movie_reviews, sst2
from dlpractice.data.review_snippets import review_snippets
from dlpractice.data.text8 import SENTENCE_WORDS, text8
from support.paths import SHARED_DATA

needs_sentiment = pytest.mark.skipif(not (SHARED_DATA / "sentiment" / "mr").is_dir(),
                                     reason="../shared/data/sentiment (MR and SST-2) is absent on this machine")


def test_lee_corpus_is_the_300_documents_that_ship_with_gensim():
    documents = lee_corpus()
    assert len(documents) == 300
    assert documents[0].startswith("Hundreds of people have been forced to vacate their homes")
    assert 55_000 < sum(len(d.split()) for d in documents) < 65_000


def test_review_snippets_are_balanced_distinct_and_labelled():
    texts, labels = review_snippets()
    assert len(texts) == len(set(texts)) == 80
    assert labels.dtype.name == "int64" and labels.sum() == 40
    assert "small masterpiece" in texts[int(labels.argmax())] or labels[0] == 1


@needs_sentiment
def test_movie_reviews_from_the_shared_folder():
    texts, labels = movie_reviews(SHARED_DATA)
    assert len(texts) == 10_662 and labels.sum() == 5_331
    assert labels[:5_331].all() and not labels[5_331:].any()  # positives first
    assert all(t == t.strip() and t for t in texts)


@needs_sentiment
def test_sst2_train_and_dev_from_the_shared_folder():
    texts, labels = sst2("train", SHARED_DATA)
    assert (len(texts), int(labels.sum())) == (67_349, 37_569)
    dev_texts, dev_labels = sst2("dev", SHARED_DATA)
    assert (len(dev_texts), int(dev_labels.sum())) == (872, 444)
    assert not any(t.endswith(" ") for t in dev_texts)  # GLUE's trailing space is stripped


def test_sst2_refuses_an_unknown_split(tmp_path):
    with pytest.raises(UserError, match="'train' and 'dev'"):
        sst2("test", tmp_path)


def test_absent_corpora_offline_are_one_line_errors_that_say_where_to_put_them(tmp_path):
    loaders = ((lambda: movie_reviews(tmp_path), "sentiment/mr"), (lambda: sst2("dev", tmp_path), "sentiment/sst2"),
               (lambda: text8(tmp_path), str(tmp_path)))
    for load, where in loaders:
        with pytest.raises(UserError) as err:
            load()
        message = str(err.value)
        assert "\n" not in message and "downloads are off" in message and where in message and "--data-dir" in message
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_the_archive_layouts_are_read_too(tmp_path):
    """What the downloads unpack to: rt-polaritydata/ (MR's tarball), SST-2/ (GLUE's zip), text8 (its zip)."""
    (tmp_path / "rt-polaritydata").mkdir()
    (tmp_path / "rt-polaritydata" / "rt-polarity.pos").write_bytes("a fine film \xe9\n".encode("latin-1"))
    (tmp_path / "rt-polaritydata" / "rt-polarity.neg").write_text("a bad one\nworse\n", encoding="latin-1")
    texts, labels = movie_reviews(tmp_path)
    assert texts == ["a fine film \xe9", "a bad one", "worse"] and labels.tolist() == [1, 0, 0]
    (tmp_path / "SST-2").mkdir()
    (tmp_path / "SST-2" / "dev.tsv").write_text('sentence\tlabel\nit \'s "fine" \t1\n', encoding="utf-8")
    assert sst2("dev", tmp_path) == (['it \'s "fine"'], pytest.approx([1]))
    (tmp_path / "text8").write_text(" ".join(["word"] * (SENTENCE_WORDS + 5)), encoding="ascii")
    chunks = text8(tmp_path)
    assert [len(c) for c in chunks] == [SENTENCE_WORDS, 5]
    assert sum(map(len, text8(tmp_path, max_words=12))) == 12


def test_a_download_is_fetched_once_atomically_then_unpacked(tmp_path, monkeypatch):
    """The real download path, with a file:// URL standing in for the web."""
    monkeypatch.delenv("DLPRACTICE_OFFLINE")
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        for name, text in (("rt-polaritydata/rt-polarity.pos", b"good\n"),
                           ("rt-polaritydata/rt-polarity.neg", b"bad\n")):
            info = tarfile.TarInfo(name)
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text))
    source = tmp_path / "source.tar.gz"
    source.write_bytes(archive.getvalue())
    root = tmp_path / "data"
    monkeypatch.setattr("dlpractice.data.movie_reviews.MR_URL", source.as_uri())
    texts, labels = movie_reviews(root)
    assert texts == ["good", "bad"] and labels.tolist() == [1, 0]
    assert sorted(p.name for p in root.iterdir()) == ["rt-polaritydata", "rt-polaritydata.tar.gz"]
    source.unlink()  # a second call reads what is there and fetches nothing
    assert movie_reviews(root)[0] == ["good", "bad"]


def test_a_failed_download_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.delenv("DLPRACTICE_OFFLINE")
    with pytest.raises(UserError, match="could not download") as err:
        fetch((tmp_path / "missing.zip").as_uri(), tmp_path / "data" / "text8.zip", "text8", tmp_path / "data")
    assert "\n" not in str(err.value)
    assert not list((tmp_path / "data").glob("*"))


def test_text8_zip_is_unpacked(tmp_path, monkeypatch):
    monkeypatch.delenv("DLPRACTICE_OFFLINE")
    source = tmp_path / "text8.zip"
    with zipfile.ZipFile(source, "w") as z:
        z.writestr("text8", "anarchism originated as a term of abuse")
    monkeypatch.setattr("dlpractice.data.text8.URL", source.as_uri())
    assert text8(tmp_path / "data") == [["anarchism", "originated", "as", "a", "term", "of", "abuse"]]
