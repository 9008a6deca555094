"""Trains the example's TensorFlow model; run by ``publish.py`` with the SDK's
TensorFlow interpreter (not the project's environment, which has no TensorFlow).

``python train.py DATA.npz OUT_DIR``: DATA holds ``x_train``, ``y_train`` and
``x_test`` (iris, standardised); it writes the SavedModel to ``OUT_DIR/saved``
(a ``tf.Module`` whose ``serving_default`` signature maps ``features``
``[null, 4]`` to ``probabilities`` ``[null, 3]``) and TensorFlow's own answers
on ``x_test`` to ``OUT_DIR/tensorflow.npz``.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf

SPEC = tf.TensorSpec([None, 4], tf.float32, name="features")


class Softmax(tf.Module):
    """Multinomial logistic regression: softmax(features @ w + b)."""

    def __init__(self) -> None:
        super().__init__()
        self.w = tf.Variable(tf.zeros([4, 3]))
        self.b = tf.Variable(tf.zeros([3]))

    @tf.function(input_signature=[SPEC])
    def predict(self, features):  # type: ignore[no-untyped-def]
        return {"probabilities": tf.nn.softmax(tf.matmul(features, self.w) + self.b)}


def main(data: str, out: str) -> None:
    with np.load(data) as d:
        x, y, x_test = d["x_train"], d["y_train"], d["x_test"]
    model = Softmax()
    variables = [model.w, model.b]
    for _ in range(300):  # plain gradient descent
        with tf.GradientTape() as tape:
            logits = tf.matmul(x, model.w) + model.b
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
            )
        for variable, grad in zip(variables, tape.gradient(loss, variables), strict=True):
            variable.assign_sub(0.5 * grad)
    print(f"trained: final loss {float(loss):.3f}", file=sys.stderr)
    tf.saved_model.save(
        model, os.path.join(out, "saved"), signatures={"serving_default": model.predict}
    )
    answers = model.predict(tf.constant(x_test))["probabilities"].numpy()
    np.savez(os.path.join(out, "tensorflow.npz"), probabilities=answers)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
