# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 05 — Case study: a CNN reads viral genomes, and its salient windows become PCR primers
#
# A published study trained a convolutional network on whole coronavirus genomes: 553 sequences in 5
# imbalanced classes (66 / 240 / 162 / 75 / 10). It reached about **98.7 % accuracy in 10-fold
# cross-validation**. Then the authors looked *inside* the network, took the 21-base stretches it relied
# on, and turned them into **PCR primers**, which they checked against public genome collections: found in
# about 99.5 % of the target genomes, and in none of the other viruses.
#
# In this lab you redo the whole path, offline, on genomes whose truth is known — and on real FASTA files
# when you have them. You will:
#
# 1. generate **synthetic genomes** with planted class signatures, and read and write them as **FASTA**
#    (Biopython);
# 2. **encode** DNA for a network (one-hot), and count **k-mers** for a classic baseline (a random forest);
# 3. train a **1-D CNN** with primer-wide filters in **stratified k-fold cross-validation**, with a
#    class-weighted loss for the imbalance;
# 4. read the network: **saliency** (gradient × input) along the genome and its **maximal activations**;
# 5. turn salient windows into **candidate primers**, validate them **in silico** (sensitivity,
#    specificity, exactly and with one mismatch), compute their **GC content** and **melting temperature**,
#    and **rank** them.
#
# **Exercises.** Six small functions; each cell ends with `check.NAME(NAME)`, which tries your code on more
# cases than the notebook shows (N bases, sequences shorter than k or than the primer, lower case...) and
# says what is wrong. The cells after an exercise use the library's version, so the notebook runs on even
# if you are stuck.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from Bio.SeqUtils import MeltingTemp, gc_fraction
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

import dlpractice.course.notebooks
from dlpractice.checks import lab05 as check
from dlpractice.data.fasta import load_fasta_dir, read_fasta, write_fasta_dir
from dlpractice.data.genomes import synthetic_genomes
from dlpractice.genomics import plots
from dlpractice.genomics.encoding import encode_batch, numeric_encode
from dlpractice.genomics.kmers import kmer_table
from dlpractice.genomics.matching import min_mismatches
from dlpractice.genomics.primers import PrimerCandidate, validate
from dlpractice.genomics.primers import rank_candidates as rank_primers  # the library's version of exercise 6
from dlpractice.genomics.tables import primer_table
from dlpractice.labs.cnn_rna import CnnRnaConfig, cross_validate, primer_candidates
from dlpractice.models import count_parameters
from dlpractice.models.genome_cnn import GenomeCNN

QUICK = dlpractice.course.notebooks.quick()  # True under DLPRACTICE_QUICK=1: fewer and shorter genomes, fewer folds
CONFIG = CnnRnaConfig.quick() if QUICK else CnnRnaConfig()
torch.set_num_threads(1)  # a small network: one CPU thread is fastest
print(f"quick mode: {QUICK}; class sizes {CONFIG.class_sizes}, genomes of about {CONFIG.genome_length} bases, "
      f"{CONFIG.folds}-fold cross-validation")

# %% [markdown]
# ## 1. Genomes whose truth we know
#
# Real genomes come with no answer key: we cannot tell whether a network found *the* right stretches. So we
# first build genomes where we planted the answer. A random ancestral genome is copied into one **lineage**
# per class, with point mutations and small insertions and deletions. Each class also carries a few
# **signatures**: 21-base stretches of its own, conserved in the class (with an occasional mutation) and
# absent from every other class, which keeps the ancestral bases there. Each genome then mutates a little
# more, some bases become `N` (unread), and — because of the insertions and deletions — a signature does
# not sit at the same position in every genome.

# %%
genomes = synthetic_genomes(CONFIG.class_sizes, CONFIG.genome_length, CONFIG.signatures_per_class, seed=0)
print("classes:", dict(zip(genomes.class_names, genomes.class_sizes())))
print("lengths from", min(map(len, genomes.sequences)), "to", max(map(len, genomes.sequences)), "bases")
signature = genomes.signatures[0]
members = np.flatnonzero(signature.starts >= 0)
print(f"\na signature of {genomes.class_names[signature.class_index]}: {signature.sequence}")
print("its start in the first five genomes of that class:", signature.starts[members[:5]].tolist())
for i in members[:3]:
    start = signature.starts[i]
    print(f"  {genomes.ids[i]:>14}: ...{genomes.sequences[i][start - 10:start].lower()}"
          f"{genomes.sequences[i][start:start + 21]}{genomes.sequences[i][start + 21:start + 31].lower()}...")

# %% [markdown]
# ### FASTA files
#
# Genomes are shared as FASTA text: a `>` line with the record's name, then the bases. Biopython's `SeqIO`
# reads and writes it. The lab reads a **folder with one FASTA file per class** (the file name is the class),
# so the genomes you download (for instance from NCBI Virus) go through exactly the same pipeline:
# `dlpractice run 05 --set fasta_dir=my_genomes/`. A malformed file stops the run with one line naming the
# file and the record.

# %%
folder = Path(tempfile.mkdtemp()) / "genomes"
files = write_fasta_dir(folder, genomes)
print("written:", [f.name for f in files])
print(files[0].read_text()[:150], "...")
again = load_fasta_dir(folder)
print("read back: same genomes and labels?",
      again.sequences == genomes.sequences and (again.labels == genomes.labels).all())
print("first record of the last file:", read_fasta(files[-1])[0][0])

# %% [markdown]
# ## 2. DNA as numbers: one-hot encoding
#
# A convolution needs numbers. **One-hot encoding** gives each base its own channel: a genome of length $L$
# becomes a $4 \times L$ array with rows A, C, G, T and a single 1 per column. An `N` is unknown: a column of
# zeros, so that no channel pretends to know it. (Genomes of different lengths are padded with zeros to a
# common length — padding looks like `N`.)
#
# ### Exercise 1 — `one_hot_encode`
#
# Write `one_hot_encode(seq)`: for a string of A, C, G, T and N, return a **float32** NumPy array of shape
# `(4, len(seq))`, rows in the order A, C, G, T, and a column of zeros for N.

# %%
def one_hot_encode(seq):
    ### BEGIN SOLUTION
    # TODO: start from np.zeros((4, len(seq)), dtype=np.float32) and put a 1 in the right row of each column
    out = np.zeros((4, len(seq)), dtype=np.float32)
    for i, base in enumerate(seq):
        if base in "ACGT":
            out["ACGT".index(base), i] = 1.0
    return out
    ### END SOLUTION


check.one_hot_encode(one_hot_encode)

# %% [markdown]
# The original study used a single channel instead: C = 0.25, T = 0.50, G = 0.75, A = 1.0 and 0 for anything
# else. It is 4 times smaller, but it tells the network that T lies "between" C and G — an order that means
# nothing chemically. The lab can use it (`--set encoding=numeric`); one-hot is the usual choice.

# %%
print("numeric encoding of GATTACA-N:", numeric_encode("GATTACAN")[0])
x = torch.from_numpy(encode_batch(genomes.sequences))  # all genomes, one-hot, padded to the longest
y = torch.from_numpy(genomes.labels)
print("one-hot batch:", tuple(x.shape), x.dtype, f"({x.element_size() * x.nelement() / 1e6:.0f} MB)")

# %% [markdown]
# ## 3. k-mers, and a baseline without deep learning
#
# A **k-mer** is a word of k bases. Counting every overlapping k-mer of a genome turns it into a fixed-length
# vector of $4^k$ counts, whatever its length — a table that any classic model can learn from. Where a word
# occurs is forgotten. (The same sliding window, with k = 21, will give our candidate primers.)
#
# ### Exercise 2 — `kmer_counts`
#
# Write `kmer_counts(seq, k)`: return a dict mapping each k-mer to the number of times it occurs in `seq`,
# over **every overlapping window** of k bases (positions 0, 1, 2, ...). Skip windows that contain an `N`.

# %%
def kmer_counts(seq, k):
    ### BEGIN SOLUTION
    # TODO: slide a window of k bases one base at a time; count the windows without "N"
    counts = {}
    for i in range(len(seq) - k + 1):
        word = seq[i:i + k]
        if "N" not in word:
            counts[word] = counts.get(word, 0) + 1
    return counts
    ### END SOLUTION


check.kmer_counts(kmer_counts)

# %% [markdown]
# The baseline: k-mer frequencies (k = 4: 256 numbers per genome) and a random forest with class weights,
# scored by stratified k-fold cross-validation — the folds keep the class proportions, so that the class of
# 10 genomes appears in every fold.

# %%
folds = list(StratifiedKFold(CONFIG.folds, shuffle=True, random_state=0).split(np.zeros(len(y)), genomes.labels))
table = kmer_table(genomes.sequences, CONFIG.kmer_k)
forest = RandomForestClassifier(CONFIG.trees, class_weight="balanced", random_state=0, n_jobs=1)
baseline = cross_val_predict(forest, table, genomes.labels, cv=folds)
print(f"k-mer random forest: accuracy {accuracy_score(genomes.labels, baseline):.3f}, "
      f"macro-F1 {f1_score(genomes.labels, baseline, average='macro'):.3f}")

# %% [markdown]
# Strong! Genomes of one lineage share almost all their words, so word frequencies separate the classes here.
# The forest, however, does not say *where* the difference lies — and a primer needs a place.
#
# ## 4. A 1-D CNN with primer-wide filters
#
# The network follows the study: a 1-D convolution whose filters are **21 bases wide**, as wide as a primer;
# ReLU; **max pooling** over stretches of 10 positions (a motif moved a few bases by an insertion still lands
# in the same pooled unit); then a **dense layer with dropout** that learns which filter matters *where* along
# the genome, for which class. Each filter is a position weight matrix: its score at a position is the sum,
# over the 21 positions of the window, of the weight of the base that is there.

# %%
model = GenomeCNN(length=x.shape[2], n_classes=len(genomes.class_names), filters=CONFIG.filters, width=21,
                  pool=CONFIG.pool, dropout=CONFIG.dropout)
print(model)
print("parameters:", count_parameters(model), f"(convolution: {count_parameters(model.conv)})")

# %% [markdown]
# **Cross-validation.** For each of the k folds a fresh network is trained on the other folds with Adam and a
# **class-weighted cross-entropy** (an error on the rarest class costs as much as 24 errors on the largest),
# then predicts the genomes of its fold. Every genome is predicted once, by a model that never saw it. The
# same function also records, for each genome, what *its* fold model saw in it (next section).

# %%
cv = cross_validate(genomes, x, folds, CONFIG, writer=None)
print(f"CNN: accuracy {accuracy_score(y, cv.predicted):.3f}, macro-F1 {f1_score(y, cv.predicted, average='macro'):.3f}")
fig, ax = plt.subplots(figsize=(5, 4.5))
ConfusionMatrixDisplay.from_predictions(y, cv.predicted, display_labels=genomes.class_names, ax=ax, colorbar=False,
                                        xticks_rotation=45)
ax.set_title(f"CNN, pooled over {CONFIG.folds} folds")
plt.show()

# %% [markdown]
# ## 5. Reading the network
#
# **Saliency (gradient × input).** The derivative of the class score with respect to the input says how much
# the score would move per unit change of each input value; multiplied by the input and summed over the four
# channels, it leaves one number per position: the contribution of the base that is there. Where that number
# is large (in either sign) the network looks. Averaged over the genomes of each class, with the planted
# signatures shaded:

# %%
profiles = np.stack([np.abs(cv.saliency[genomes.labels == c]).mean(axis=0) for c in range(len(genomes.class_names))])
planted = [[int(np.median(s.starts[s.starts >= 0])) for s in genomes.signatures if s.class_index == c]
           for c in range(len(genomes.class_names))]
plots.saliency_along_genome(profiles, genomes.class_names, planted, [[] for _ in planted], 21)
plt.show()

# %% [markdown]
# **Maximal activations.** The second view: which pooled units — a filter's best window in a stretch of the
# genome — carry the largest share of the class score (their value times their weight in the dense layer),
# and at which window their filter fired. Both views give, per genome, a few **windows**; they are read from
# that genome's own sequence (insertions and deletions move a locus from genome to genome), counted over the
# genomes of the class, merged when they overlap, and each is **walked** a few bases to the window that
# differs most from the same region in genomes of the other classes — as a primer-design tool picks the
# primer inside a target region. Here are the best windows one genome gave:

# %%
first = int(np.flatnonzero(genomes.labels == 0)[0])
for start, weight in cv.hotspots[first][:6]:
    hit = max(s.overlap(first, start, 21) for s in genomes.signatures)
    print(f"position {start:5d}  weight {weight:.2f}  {genomes.sequences[first][start:start + 21]}  "
          f"shares {hit:2d} bases with a planted signature")

# %% [markdown]
# ## 6. In-silico validation
#
# A primer is only useful if it binds in (nearly) every genome of its class and in none of the others. A
# primer can still bind across a single mismatch, so we count a genome as containing a primer when some
# window of it differs from the primer in **at most one base**.
#
# ### Exercise 3 — `fewest_mismatches`
#
# Write `fewest_mismatches(primer, genome)`: slide the primer along the genome and return the **smallest
# number of mismatching bases** over all positions. An `N` is an unknown base: it never matches, whether it is in
# the genome or in the primer (even `N` against `N`). Both come in upper case. If the genome is shorter than the
# primer there is no position: return `len(primer)`.

# %%
def fewest_mismatches(primer, genome):
    ### BEGIN SOLUTION
    # TODO: for every start from 0 to len(genome) - len(primer), count the positions where the bases differ
    best = len(primer)
    for start in range(len(genome) - len(primer) + 1):
        window = genome[start:start + len(primer)]
        best = min(best, sum(p != g or "N" in (p, g) for p, g in zip(primer, window)))
    return best
    ### END SOLUTION


check.fewest_mismatches(fewest_mismatches)

# %% [markdown]
# The library does the same for every primer, genome and position at once with a **convolution**: a
# one-hot primer used as a filter over one-hot genomes counts the matching bases at each position — a CNN
# filter whose weights are the primer itself.

# %%
probe = genomes.signatures[0].sequence
fewest = min_mismatches([probe], x.numpy())[0]
target = genomes.labels == genomes.signatures[0].class_index
print(f"signature {probe}: mismatches in its class {np.bincount(fewest[target]).tolist()} (count per number of "
      f"mismatches), fewest in any other genome: {fewest[~target].min()}")

# %% [markdown]
# ### Exercise 4 — `gc_content`, and Exercise 5 — `melting_temperature`
#
# Two properties every primer table lists. The **GC content** is the share of G and C among the bases (leave
# N out): primers of 40–60 % bind evenly. The **melting temperature** by the **Wallace rule**, a rule of thumb
# for short primers: 2 °C for each A or T, 4 °C for each G or C (a G–C pair has three hydrogen bonds, an A–T
# pair two). Return 0 for the GC content of a sequence with no base. Accept lower case: `g` counts as `G`, and `n`
# is left out like `N`. A primer has no `N` (the melting temperature of an unknown base is unknown): only A, C, G
# and T, in either case. Biopython's `gc_fraction(seq, "remove")` and `MeltingTemp.Tm_Wallace` are the references.

# %%
def gc_content(seq):
    ### BEGIN SOLUTION
    # TODO: count G and C, divide by the number of A, C, G and T (not by len(seq): N is no base)
    seq = seq.upper()
    bases = sum(seq.count(b) for b in "ACGT")
    return (seq.count("G") + seq.count("C")) / bases if bases else 0.0
    ### END SOLUTION


check.gc_content(gc_content)


# %%
def melting_temperature(primer):
    ### BEGIN SOLUTION
    # TODO: 2 °C per A or T, 4 °C per G or C
    primer = primer.upper()
    return 2 * (primer.count("A") + primer.count("T")) + 4 * (primer.count("G") + primer.count("C"))
    ### END SOLUTION


check.melting_temperature(melting_temperature)

# %%
print(f"{probe}: GC {gc_fraction(probe):.2f}, Tm {MeltingTemp.Tm_Wallace(probe):.0f} °C (Wallace), "
      f"{MeltingTemp.Tm_NN(probe):.1f} °C (nearest-neighbour thermodynamics, a better model)")

# %% [markdown]
# ## 7. Ranking the candidates
#
# Every candidate is validated against all genomes: **sensitivity** (share of its class that contains it,
# exactly and with ≤ 1 mismatch), **specificity** (share of the other genomes that do not), and the
# **margin**: the fewest mismatches at any site of any genome of another class — the larger, the safer
# against binding where it should not.
#
# ### Exercise 6 — `rank_candidates`
#
# Each candidate has the attributes `sensitivity_1mm`, `off_target_1mm` (share of other-class genomes that
# contain it with ≤ 1 mismatch), `margin` and `evidence` (how strongly the network pointed at it). Write
# `rank_candidates(candidates, top)`: keep those with `sensitivity_1mm >= 0.9` and `off_target_1mm == 0`,
# sort them by `margin`, then `sensitivity_1mm`, then `evidence`, each **from high to low**, and return the
# first `top`. The network only proposes; the validation decides.

# %%
def rank_candidates(candidates, top):
    ### BEGIN SOLUTION
    # TODO: filter, then sorted(..., key=lambda c: (-c.margin, -c.sensitivity_1mm, -c.evidence)), then keep `top`
    usable = [c for c in candidates if c.sensitivity_1mm >= 0.9 and c.off_target_1mm == 0]
    return sorted(usable, key=lambda c: (-c.margin, -c.sensitivity_1mm, -c.evidence))[:top]
    ### END SOLUTION


check.rank_candidates(rank_candidates)

# %% [markdown]
# The whole chain — windows, loci, walking, validation, ranking — for every class (the library's
# `primer_candidates`), and the primer table the lab's report shows. The last column says how many bases each
# primer shares with a planted signature: did the network lead us to the truth?

# %%
top = primer_candidates(genomes, cv, x.numpy(), CONFIG)
print(primer_table(genomes, top))
recovered = [any(s.overlap(c.genome, c.start, 21) >= 15 for c in top[s.class_index]) for s in genomes.signatures]
print(f"\nplanted signatures recovered in the top {CONFIG.top_primers} of their class: "
      f"{sum(recovered)} of {len(recovered)}")

# %% [markdown]
# A window of the ancestral genome — present in every class — fails validation at once:

# %%
shared = PrimerCandidate(genomes.sequences[first][1000:1021], target=0, evidence=1.0)
validate([shared], x.numpy(), genomes.labels)
print(f"{shared.sequence}: sensitivity {shared.sensitivity_1mm:.2f}, found in {shared.off_target_1mm:.0%} of the "
      f"other genomes, margin {shared.margin} -> rejected: {not rank_primers([shared], 1)}")

# %% [markdown]
# ## What to remember
#
# * Genomes become numbers by **one-hot encoding** (4 × L, N as zeros) or as **k-mer counts** (position lost).
# * A 1-D CNN with primer-wide filters, pooling and a dense layer classifies whole genomes; **stratified k-fold
#   cross-validation** with a **class-weighted loss** measures it honestly on imbalanced classes.
# * **Saliency** and **maximal activations** show where the network looks; windows read there, merged and
#   walked, are **candidate primers** — and only **in-silico validation** (sensitivity, specificity, margin)
#   makes them primers. GC content and the Wallace melting temperature complete the table.
#
# **Try:** `dlpractice run 05` (553 genomes, 10 folds, about half a minute);
# `--set lineage_divergence=0.01` (lineages differ at many more single bases: does the network still find the
# signatures?); `--set encoding=numeric` (the study's encoding); and `--set fasta_dir=DIR` on real genomes.
