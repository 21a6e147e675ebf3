"""The contract test kit (public API): checks that a degrader, extractor or SR model keeps the
degsdk contract, for the tests of plugins and of the core.

    import degsdk
    from degsdk.testing import check_degrader

    def test_vignette_keeps_the_contract():
        check_degrader(degsdk.create("vignette", strength=[0.3, 0.5]))

Each check raises :class:`ContractError` (an ``AssertionError``) naming the first rule broken.
``find_private_imports`` lists a plugin's uses of degsdk modules that are not public API;
``camera_test_data`` writes a synthetic camera's data for tests of fitters; ``TruthCamera`` is a
camera with known optics, noise and codec written without degsdk's ops (the truth for
calibration tests and benchmarks).
"""

from ._degrader import check_degrader
from ._errors import ContractError
from ._fit_data import camera_test_data, synthetic_photos
from ._images import example_images
from ._imports import find_private_imports, is_private
from ._models import check_extractor, check_sr_model
from ._truth_camera import TruthCamera, decode_output, save_output, write_truth_camera_data

__all__ = ["ContractError", "TruthCamera", "camera_test_data", "check_degrader",
           "check_extractor", "check_sr_model", "decode_output", "example_images",
           "find_private_imports", "is_private", "save_output", "synthetic_photos",
           "write_truth_camera_data"]
