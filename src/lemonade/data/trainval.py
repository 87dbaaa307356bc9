"""The dataset for final training: the validation split joins the training split.

The search ranks candidates on the validation split; once a winner is chosen, that split has done
its job and the final model learns from it too (`lemonade finalize`). The test split stays
untouched: it is what the final model is measured on.
"""

from __future__ import annotations

from dataclasses import replace

import torch

from lemonade.data.base import Dataset, channel_stats


def train_plus_val(data: Dataset) -> Dataset:
    """A Dataset whose train split is train + val, whose val split is empty, same test split.

    Pure: `data` is not changed. The normalisation statistics are recomputed on the merged
    training split (they are always the training split's). With no validation split held out,
    `val_accuracy` is not measured; `test_accuracy` is the held-out figure.
    """
    x = torch.cat([data.x_train, data.x_val])
    y = torch.cat([data.y_train, data.y_val])
    mean, std = channel_stats(x)
    return replace(data, x_train=x, y_train=y, x_val=data.x_val[:0].clone(),
                   y_val=data.y_val[:0].clone(), mean=mean, std=std)
