"""The command line's own error messages, in English and Korean.

``roikit ... --lang ko`` reports bad input in Korean: the messages about the
command line's options and files live here. Errors raised by the Python API
(:class:`roikit.RoIError` from the ops and explainers) keep their English
text; under ``--lang ko`` only the ``roikit: 오류:`` prefix is Korean.
"""

from __future__ import annotations

__all__ = ["MESSAGES", "message", "prefix"]

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "prefix": "roikit: error: ",
        "map.token": "{where}: row {i} has {bad!r}, which is not a number",
        "map.value": "{where}: row {i} value {j} is not a number",
        "map.too_many": "{where}: more than {limit} values (roikit.budget.MAX_MAP_CELLS)",
        "map.empty": "{where}: no numbers found",
        "map.ragged": "{where}: rows have different lengths {widths}; every row needs the same "
        "number of values",
        "map.finite": "{where}: the map must hold finite numbers; value [{at}] is {value}",
        "map.cells": "{where}: {shape} = {cells} values is more than a walkthrough can show; "
        "the limit is {limit} (roikit.budget.MAX_MAP_CELLS)",
        "map.bomb": "--map {spec}: the image is too large ({detail})",
        "map.image": "--map {spec}: cannot read the image ({detail})",
        "map.missing": "--map {shown!r} is not a file, and not inline numbers like '1 2; 3 4'",
        "map.npy": "--map {spec}: cannot read it as a .npy file ({detail})",
        "map.npy_shape": "--map {spec}: expected a 2-D (H, W) or 3-D (C, H, W) numeric array; "
        "got shape {shape} of {dtype}",
        "map.text": "--map {spec}: cannot read it as text ({detail})",
        "picture.stride": "--spatial-scale {s} with a picture: the feature map is the picture "
        "averaged over 1/s × 1/s blocks, so 1/s must be a whole number (0.5, 0.25, 0.125, …)",
        "picture.small": "the picture ({h} x {w}) is smaller than one {k} x {k} block",
        "numbers.parse": "{name} needs numbers separated by commas; got {text!r}",
        "numbers.count": "{name} needs {want} number(s); got {n} in {text!r}",
        "numbers.finite": "{name} must be finite numbers; got {text!r}",
        "box.float32": "--box {text}: {v} (× spatial_scale {s}) is beyond float32 (±{limit}), the "
        "precision RoI ops compute in",
        "size.whole": "--output-size needs positive whole numbers; got {text!r}",
        "size.large": "--output-size {ph}x{pw} is larger than the {h}x{w} feature map; a "
        "walkthrough needs at most {h} x {w} bins",
        "bins.word": "--bins must be 'auto' or 'all'; got {bins!r}",
        "bin.outside": "--bin {bin} is outside the {ph}x{pw} output",
        "figures.missing": "figures need matplotlib: pip install 'roikit[figures]' ({detail})",
        "file.suffix": "{option} {path} must end in {suffixes}",
        "file.dir": "{option} {path} is a directory; give a file name",
        "file.parent": "{option} {path}: the folder {parent} does not exist",
        "figures.file": "--figures {path} is a file; give a folder (it is created if missing)",
        "figures.parent": "--figures {path}: the folder {parent} does not exist",
        "option.pool": "{option} does not apply to RoI Pool (it rounds the box to whole cells and "
        "takes each bin's max); it is a RoI Align option",
        "convention.align": "--convention {name} is a RoI Align convention; use 'roikit explain align'",
        "convention.pool": "--convention {name} is RoI Pool's; use 'roikit explain pool --convention {name}'",
        "convention.none": "--convention {name} has no RoI Align walkthrough ({summary}); 'roikit "
        "compare' shows its numbers",
        "convention.contradicts": "{option} {value} contradicts --convention {name}, which uses "
        "{key}={setting}; drop one of them",
        "handout.format": "--handout makes a printable sheet: use it with --format html or latex (not {fmt})",
        "check.what": "name the exercise (--seed, --level) or give --map and --box",
        "check.json": "--answer must be a JSON object (a file or the text) with the steps as keys",
        "grad.alone": "--grad goes with --backward (it is the gradient the backward pass sends)",
        "grad.shape": "--grad is {shape}; it must be one number or the output's {ph}x{pw}",
        "explore.op": "op must be pool or align; got {op!r}",
        "explore.missing": "{name} is missing",
        "explore.choice": "{name} must be one of {choices}; got {value!r}",
        "explore.number": "{name} needs a number; got {value!r}",
    },
    "ko": {
        "prefix": "roikit: 오류: ",
        "map.token": "{where}: 행 {i}의 {bad!r}: 숫자가 아닙니다",
        "map.value": "{where}: 행 {i}의 {j}번째 값이 숫자가 아닙니다",
        "map.too_many": "{where}: 값이 {limit}개를 넘습니다 (roikit.budget.MAX_MAP_CELLS)",
        "map.empty": "{where}: 숫자가 없습니다",
        "map.ragged": "{where}: 행마다 값의 개수가 다릅니다 {widths}. 모든 행의 값 개수가 같아야 합니다",
        "map.finite": "{where}: 맵에는 유한한 숫자만 올 수 있습니다. 값 [{at}]: {value}",
        "map.cells": "{where}: {shape} = 값 {cells}개는 손으로 계산하기에 너무 많습니다. 한도는 "
        "{limit}개입니다 (roikit.budget.MAX_MAP_CELLS)",
        "map.bomb": "--map {spec}: 이미지가 너무 큽니다 ({detail})",
        "map.image": "--map {spec}: 이미지를 읽을 수 없습니다 ({detail})",
        "map.missing": "--map {shown!r}: 파일도 아니고 '1 2; 3 4' 같은 숫자 입력도 아닙니다",
        "map.npy": "--map {spec}: .npy 파일로 읽을 수 없습니다 ({detail})",
        "map.npy_shape": "--map {spec}: 2차원 (H, W) 또는 3차원 (C, H, W) 숫자 배열이어야 합니다. "
        "받은 모양 {shape}, 자료형 {dtype}",
        "map.text": "--map {spec}: 텍스트로 읽을 수 없습니다 ({detail})",
        "picture.stride": "그림과 함께 쓴 --spatial-scale {s}: 특징 맵은 그림을 1/s × 1/s 블록마다 "
        "평균한 것이므로 1/s가 정수여야 합니다 (0.5, 0.25, 0.125, …)",
        "picture.small": "그림 크기 {h} x {w}: {k} x {k} 블록 하나보다 작습니다",
        "numbers.parse": "{name}: 쉼표로 구분한 숫자가 필요합니다. 받은 값 {text!r}",
        "numbers.count": "{name}: 숫자가 {want}개 필요합니다. 받은 값 {text!r}에는 {n}개",
        "numbers.finite": "{name}: 유한한 숫자여야 합니다. 받은 값 {text!r}",
        "box.float32": "--box {text}: {v} × spatial_scale {s}: float32 범위(±{limit}) 밖입니다. "
        "RoI 연산은 float32로 계산합니다",
        "size.whole": "--output-size: 양의 정수가 필요합니다. 받은 값 {text!r}",
        "size.large": "--output-size {ph}x{pw}: {h}x{w} 특징 맵보다 큽니다. 구간은 최대 {h} x {w}"
        "개까지입니다",
        "bins.word": "--bins: 'auto' 또는 'all'이어야 합니다. 받은 값 {bins!r}",
        "bin.outside": "--bin {bin}: {ph}x{pw} 출력 밖입니다",
        "figures.missing": "그림을 그리려면 matplotlib이 필요합니다: pip install "
        "'roikit[figures]' ({detail})",
        "file.suffix": "{option} {path}: 확장자가 {suffixes} 중 하나여야 합니다",
        "file.dir": "{option} {path}: 폴더입니다. 파일 이름을 주세요",
        "file.parent": "{option} {path}: 폴더가 없습니다: {parent}",
        "figures.file": "--figures {path}: 파일입니다. 폴더를 주세요 (없으면 새로 만듭니다)",
        "figures.parent": "--figures {path}: 폴더가 없습니다: {parent}",
        "option.pool": "{option}: RoI Pool에는 쓰지 않는 옵션입니다 (RoI Pool은 박스를 정수 칸으로 "
        "반올림하고 구간마다 최댓값을 고릅니다). RoI Align 옵션입니다",
        "convention.align": "--convention {name}: RoI Align의 구현 방식입니다. 'roikit explain "
        "align'을 쓰세요",
        "convention.pool": "--convention {name}: RoI Pool의 구현 방식입니다. 'roikit explain pool "
        "--convention {name}'을 쓰세요",
        "convention.none": "--convention {name}: RoI Align 풀이가 없습니다 ({summary}). 값은 "
        "'roikit compare'에서 볼 수 있습니다",
        "convention.contradicts": "{option} {value}: --convention {name}의 설정({key}={setting})과 "
        "맞지 않습니다. 둘 중 하나를 빼세요",
        "handout.format": "--handout은 인쇄용 한 장을 만듭니다. --format html 또는 latex과 함께 "
        "쓰세요 (받은 형식: {fmt})",
        "check.what": "문제를 정하세요 (--seed, --level) 또는 --map과 --box를 주세요",
        "check.json": "--answer: 단계 이름을 키로 가진 JSON 객체(파일 또는 텍스트)여야 합니다",
        "grad.alone": "--grad는 --backward와 함께 씁니다 (역전파가 보내는 기울기입니다)",
        "grad.shape": "--grad 크기 {shape}: 숫자 하나이거나 출력 크기 {ph}x{pw}여야 합니다",
        "explore.op": "op: pool 또는 align이어야 합니다. 받은 값 {op!r}",
        "explore.missing": "{name}: 값이 없습니다",
        "explore.choice": "{name}: {choices} 중 하나여야 합니다. 받은 값 {value!r}",
        "explore.number": "{name}: 숫자가 필요합니다. 받은 값 {value!r}",
    },
}


def message(lang: str, key: str, /, **values: object) -> str:
    """The message ``key`` in ``lang`` (English for an unknown language), filled with ``values``.

    Examples
    --------
    >>> message("en", "bin.outside", bin="3,3", ph=1, pw=1)
    '--bin 3,3 is outside the 1x1 output'
    """
    return MESSAGES.get(lang, MESSAGES["en"])[key].format(**values)


def prefix(lang: str) -> str:
    """``roikit: error: `` in ``lang``."""
    return MESSAGES.get(lang, MESSAGES["en"])["prefix"]
