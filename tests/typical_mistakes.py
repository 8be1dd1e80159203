"""The course's memory of student mistakes: typical wrong answers to every graded exercise.

Each entry is ``(label, answer code, pattern)``: a wrong answer students
really write, and a regular expression that the message of the exercise's
*visible* test must match, so the student learns what went wrong before the
hidden tests are run. A misjudgement in a judgement exercise is marked
``GRADED``: a visible test that named it would hand out the answer, so it must
pass the visible test and fail the graded one (visible and hidden tests) with
a message matching the pattern, which the student reads in the feedback. ``test_typical_mistakes.py`` checks every entry, and
that every model answer passes. Add the mistakes you meet when you teach,
and a mistake list for every exercise of a new chapter.
"""

GRADED = "graded"

# A folder batch for chapter 09's hand-in, with one slip filled in per mistake.
HAND_IN = (
    "frames_tables, failed = [], []\n"
    "for path in sorted(sh.own_data_folder().glob('*.tif')):\n"
    "    try:\n"
    "        with tifffile.TiffFile(path) as tif:\n"
    "            stack = to_tyx(tif.series[0].asarray(), tif.series[0].axes)\n"
    "        size, source = sh.read_pixel_size(path)\n"
    "        size = size or 0.055\n"
    "        {reader}\n"
    "        for t, frame in {frames}:\n"
    "            labels = sh.segment_rods(frame, size)\n"
    "            frames_tables.append(pd.DataFrame(cells_table(labels, frame, {size}, {name}, t)))\n"
    "    except Exception:\n"
    "        {failed}\n"
    "hand_in = {{'table': pd.concat(frames_tables).to_dict(orient='list'), 'failed': failed}}\n"
)


MISTAKES = {
    # 00-setup ---------------------------------------------------------------------------
    ("00-setup", "number_of_pixels"): [
        ("adds instead of multiplying", "def number_of_pixels(height, width):\n    return height + width\n",
         r"rows times columns"),
        ("returns a float", "def number_of_pixels(height, width):\n    return float(height * width)\n",
         r"should be an int, but it is a float"),
        ("forgets return", "def number_of_pixels(height, width):\n    height * width\n",
         r"forget the `return`"),
    ],
    # 01-image-arrays -------------------------------------------------------------------
    ("01-image-arrays", "make_image"): [
        ("height and width swapped", (
            "def make_image(height, width, on):\n    image = np.zeros((width, height), dtype=np.int64)\n"
            "    for row, col in on:\n        image[row, col] = 1\n    return image\n"),
         r"swap height and width"),
        ("(x, y) instead of (row, col)", (
            "def make_image(height, width, on):\n    image = np.zeros((height, width), dtype=np.int64)\n"
            "    for row, col in on:\n        image[col, row] = 1\n    return image\n"),
         r"\(row, col\) and \(x, y\)"),
        ("float image", (
            "def make_image(height, width, on):\n    image = np.zeros((height, width))\n"
            "    for row, col in on:\n        image[row, col] = 1\n    return image\n"),
         r"float64.*int64 was expected.*np\.zeros"),
        ("adds instead of setting", (
            "def make_image(height, width, on):\n    image = np.zeros((height, width), dtype=np.int64)\n"
            "    for row, col in on:\n        image[row, col] += 1\n    return image\n"),
         r"a repeated pixel is still 1"),
    ],
    ("01-image-arrays", "ring_pixel"): [
        ("(x, y) instead of (row, col)", "ring_pixel = (30, 224)\n", r"You gave \(x, y\)", GRADED),
        ("rows counted from the bottom", "ring_pixel = (75, 30)\n", r"row 0 is the\s+top", GRADED),
        ("a debris dot instead", "ring_pixel = (91, 302)\n", r"not inside the ring artifact", GRADED),
        ("a list", "ring_pixel = [224, 30]\n", r"should be a tuple.*Return a tuple"),
        ("floats read off the axes", "ring_pixel = (224.5, 30.0)\n", r"element 0 of ring_pixel.*float.*int"),
        ("left at None", "ring_pixel = None\n", r"still None"),
    ],
    ("01-image-arrays", "display_range"): [
        ("the image's own range", "display_range = (66, 8285)\n", r"the bright cell sets the top"),
        ("a 0-to-1 range", "display_range = (0, 1)\n", r"both white.*camera counts"),
        ("vmin and vmax swapped", "display_range = (250, 80)\n", r"vmin must be smaller than vmax"),
        ("vmin above the dim cell", "display_range = (200, 8000)\n", r"both black"),
        ("too wide a range", "display_range = (0, 600)\n", r"at least 0\.15 is needed"),
    ],
    ("01-image-arrays", "crop"): [
        ("one row and column short", "def crop(image, top, left, height, width):\n"
         "    return image[top:top + height - 1, left:left + width - 1]\n", r"Off by one"),
        ("axes swapped", "def crop(image, top, left, height, width):\n"
         "    return image[left:left + width, top:top + height]\n", r"Rows and columns are swapped"),
        ("size used as end", "def crop(image, top, left, height, width):\n"
         "    return image[top:height, left:width]\n", r"the end of a slice is start \+ size"),
        ("chained indexing", "def crop(image, top, left, height, width):\n"
         "    return image[top:top + height][left:left + width]\n", r"slices the rows twice"),
        ("grayscale only", "def crop(image, top, left, height, width):\n"
         "    return image[top:top + height, left:left + width, 0]\n", r"too many indices|3 dimensions"),
    ],
    ("01-image-arrays", "flip_upside_down"): [
        ("columns reversed", "def flip_upside_down(image):\n    return image[:, ::-1]\n",
         r"reversed the columns"),
        ("both axes reversed", "def flip_upside_down(image):\n    return image[::-1, ::-1]\n",
         r"reversed both axes"),
        ("transposed", "def flip_upside_down(image):\n    return image.T\n", r"Rows and columns are swapped"),
    ],
    ("01-image-arrays", "brightest_pixel"): [
        ("(col, row)", "def brightest_pixel(image):\n    row, col = np.unravel_index(np.argmax(image), image.shape)\n"
         "    return (int(col), int(row))\n", r"\(row, col\), not \(x, y\)"),
        ("NumPy integers", "def brightest_pixel(image):\n"
         "    return tuple(np.unravel_index(np.argmax(image), image.shape))\n", r"Convert it with int"),
        ("flat index", "def brightest_pixel(image):\n    return int(np.argmax(image))\n",
         r"should be a tuple, but it is an int"),
        ("a list", "def brightest_pixel(image):\n    row, col = np.unravel_index(np.argmax(image), image.shape)\n"
         "    return [int(row), int(col)]\n", r"Return a tuple"),
        ("last maximum on ties", "def brightest_pixel(image):\n"
         "    row, col = np.argwhere(image == image.max())[-1]\n    return (int(row), int(col))\n",
         r"the first in row-major order"),
    ],
    ("01-image-arrays", "fraction_above"): [
        (">= instead of >", "def fraction_above(image, threshold):\n    return float(np.mean(image >= threshold))\n",
         r"5 itself is not above 5"),
        ("a count, not a fraction", "def fraction_above(image, threshold):\n"
         "    return int((image > threshold).sum())\n", r"divide the count by the number of pixels"),
        ("a boolean image", "def fraction_above(image, threshold):\n    return image > threshold\n",
         r"should be a float.*ndarray"),
    ],
    # 02-dtypes-and-channels -----------------------------------------------------------
    ("02-dtypes-and-channels", "add_channel_axis"): [
        ("axis in front", "def add_channel_axis(image):\n    return image[None]\n", r"channel axis is first"),
        ("dtype changed", "def add_channel_axis(image):\n    return np.expand_dims(image.astype(float), -1)\n",
         r"dtype float64, but uint8 was expected"),
        ("unchanged", "def add_channel_axis(image):\n    return image\n", r"channel axis of length 1 is missing"),
    ],
    ("02-dtypes-and-channels", "channel_order"): [
        ("reshape both ways", "def hwc_to_chw(image):\n    h, w, c = image.shape\n    return image.reshape(c, h, w)\n"
         "def chw_to_hwc(image):\n    c, h, w = image.shape\n    return image.reshape(h, w, c)\n",
         r"reshape keeps the numbers in memory order"),
        (".T both ways", "def hwc_to_chw(image):\n    return image.T\ndef chw_to_hwc(image):\n    return image.T\n",
         r"\.T reverses all axes"),
        ("directions swapped", "def hwc_to_chw(image):\n    return np.moveaxis(image, 0, -1)\n"
         "def chw_to_hwc(image):\n    return np.moveaxis(image, -1, 0)\n",
         r"That is the shape of np\.transpose\(image, \(1, 2, 0\)\)"),
        ("one way right, reshape back", "def hwc_to_chw(image):\n    return np.moveaxis(image, -1, 0)\n"
         "def chw_to_hwc(image):\n    c, h, w = image.shape\n    return image.reshape(h, w, c)\n",
         r"chw_to_hwc of a \(4, 2, 3\) image.*reshape keeps the numbers in memory order"),
        ("the same move twice", "def hwc_to_chw(image):\n    return np.moveaxis(image, -1, 0)\n"
         "def chw_to_hwc(image):\n    return np.moveaxis(image, -1, 0)\n",
         r"chw_to_hwc of a \(4, 2, 3\) image.*That is the shape of np\.transpose\(image, \(2, 0, 1\)\)"),
    ],
    ("02-dtypes-and-channels", "diagnosis"): [
        ("a wrapped addition for the wrapped conversion", (
            'diagnosis = {"A": "added_in_uint8", "B": "channels_reversed", "C": "dtype_maximum", "D": "reshape"}\n'),
         r"Picture A has lost the cells.*A wrapped addition would keep", GRADED),
        ("reshape and channel order swapped", (
            'diagnosis = {"A": "astype_uint8", "B": "reshape", "C": "dtype_maximum", "D": "channels_reversed"}\n'),
         r"2 of the 4 pictures.*only the\s+colours are wrong.*regrouped", GRADED),
        ("the dim picture taken for a wrapped one", (
            'diagnosis = {"A": "astype_uint8", "B": "channels_reversed", "C": "added_in_uint8", "D": "reshape"}\n'),
         r"Picture C shows the cells undamaged but dim", GRADED),
        ("a word not on the list", (
            'diagnosis = {"A": "overflow", "B": "channels_reversed", "C": "dtype_maximum", "D": "reshape"}\n'),
         r"'overflow', which is not one of the words"),
        ("a list instead of a dict", (
            'diagnosis = ["astype_uint8", "channels_reversed", "dtype_maximum", "reshape"]\n'),
         r"should be a dict, but it is a list"),
    ],
    ("02-dtypes-and-channels", "rgb_to_gray"): [
        ("plain mean", "def rgb_to_gray(image):\n    return image.mean(axis=2) / 255\n", r"plain mean"),
        ("channels reversed", "def rgb_to_gray(image):\n"
         "    return (image / 255.0) @ np.array([0.0721, 0.7154, 0.2125])\n", r"channels are reversed"),
        ("no division by 255", "def rgb_to_gray(image):\n"
         "    return image @ np.array([0.2125, 0.7154, 0.0721])\n", r"divide the 0-255 values by 255"),
        ("uint8 result", "def rgb_to_gray(image):\n"
         "    return ((image / 255.0) @ np.array([0.2125, 0.7154, 0.0721])).astype(np.uint8)\n",
         r"dtype uint8, but float64 was expected"),
        ("rows taken for channels", "def rgb_to_gray(image):\n"
         "    return (0.2125 * image[0] + 0.7154 * image[1] + 0.0721 * image[2]) / 255\n",
         r"image\[0\] is the first row"),
        ("library result scaled to 0-255", "def rgb_to_gray(image):\n    return skimage.color.rgb2gray(image) * 255\n",
         r"must lie in \[0, 1\]"),
        ("library result converted to uint8", "def rgb_to_gray(image):\n"
         "    return skimage.util.img_as_ubyte(skimage.color.rgb2gray(image))\n", r"dtype uint8, but float64 was expected"),
    ],
    ("02-dtypes-and-channels", "saturating_add"): [
        ("wraps around", "def saturating_add(a, b):\n    return a + b\n", r"not 44 = 300 - 256"),
        ("clips after wrapping", "def saturating_add(a, b):\n    return np.clip(a + b, 0, 255)\n",
         r"not 44 = 300 - 256"),
        ("wider result", "def saturating_add(a, b):\n    return np.clip(a.astype(np.uint16) + b, 0, 255)\n",
         r"dtype uint16, but uint8 was expected"),
        ("in place", "def saturating_add(a, b):\n    a += np.minimum(b, 255 - a)\n    return a\n",
         r"changed its first argument in place"),
    ],
    ("02-dtypes-and-channels", "normalize_minmax"): [
        ("divides by the maximum", "def normalize_minmax(image):\n    return image / image.max()\n",
         r"subtract the minimum"),
        ("NaN on a constant image", "def normalize_minmax(image):\n    image = image.astype(np.float64)\n"
         "    return (image - image.min()) / (image.max() - image.min())\n", r"0 / 0 is NaN"),
        ("float32 result", "def normalize_minmax(image):\n    image = image.astype(np.float32)\n"
         "    span = image.max() - image.min()\n"
         "    return np.zeros(image.shape, np.float32) if span == 0 else (image - image.min()) / span\n",
         r"float32, but float64 was expected"),
    ],
    ("02-dtypes-and-channels", "normalize_percentile"): [
        ("no clipping", "def normalize_percentile(image, low=1.0, high=99.0):\n"
         "    p_low, p_high = np.percentile(image, [low, high])\n"
         "    if p_high == p_low:\n        return np.zeros(image.shape)\n"
         "    return (image - p_low) / (p_high - p_low)\n", r"clip the values"),
        ("ignores low and high", "def normalize_percentile(image, low=1.0, high=99.0):\n"
         "    p_low, p_high = np.percentile(image, [1, 99])\n"
         "    if p_high == p_low:\n        return np.zeros(image.shape)\n"
         "    return np.clip((image - p_low) / (p_high - p_low), 0, 1)\n", r"the 10th percentile is 10"),
        ("nearest percentile", "def normalize_percentile(image, low=1.0, high=99.0):\n"
         "    image = image.astype(np.float64)\n"
         "    p_low, p_high = np.percentile(image, [low, high], method='nearest')\n"
         "    if p_high == p_low:\n        return np.zeros(image.shape)\n"
         "    return np.clip((image - p_low) / (p_high - p_low), 0, 1)\n", r"linear interpolation"),
        ("NaN on a constant image", "def normalize_percentile(image, low=1.0, high=99.0):\n"
         "    p_low, p_high = np.percentile(image, [low, high])\n"
         "    return np.clip((image - p_low) / (p_high - p_low), 0, 1)\n", r"0 / 0 is NaN"),
        ("rescale_intensity, equal percentiles forgotten", "def normalize_percentile(image, low=1.0, high=99.0):\n"
         "    values = image.astype(np.float64)\n"
         "    p_low, p_high = np.percentile(values, [low, high])\n"
         "    return skimage.exposure.rescale_intensity(values, in_range=(p_low, p_high), out_range=(0.0, 1.0))\n",
         r"equal percentiles: return all zeros"),
    ],
    # 03-masks-and-disks ----------------------------------------------------------------
    ("03-masks-and-disks", "instance_to_binary"): [
        ("only id 1", ("def instance_to_binary(labels, *, separate=False):\n    binary = labels == 1\n"
         "    if separate:\n        contact = np.zeros(labels.shape, dtype=bool)\n"
         "        pairs = (labels[:, :-1] != labels[:, 1:]) & (labels[:, :-1] != 0) & (labels[:, 1:] != 0)\n"
         "        contact[:, :-1] |= pairs\n        contact[:, 1:] |= pairs\n"
         "        pairs = (labels[:-1] != labels[1:]) & (labels[:-1] != 0) & (labels[1:] != 0)\n"
         "        contact[:-1] |= pairs\n        contact[1:] |= pairs\n        binary = binary & ~contact\n"
         "    return binary\n"), r"not only id 1"),
        ("integers", ("def instance_to_binary(labels, *, separate=False):\n    binary = labels != 0\n"
         "    if separate:\n        contact = np.zeros(labels.shape, dtype=bool)\n"
         "        pairs = (labels[:, :-1] != labels[:, 1:]) & (labels[:, :-1] != 0) & (labels[:, 1:] != 0)\n"
         "        contact[:, :-1] |= pairs\n        contact[:, 1:] |= pairs\n"
         "        pairs = (labels[:-1] != labels[1:]) & (labels[:-1] != 0) & (labels[1:] != 0)\n"
         "        contact[:-1] |= pairs\n        contact[1:] |= pairs\n        binary = binary & ~contact\n"
         "    return binary.astype(int)\n"), r"dtype int64, but bool was expected"),
        ("in place", "def instance_to_binary(labels, *, separate=False):\n    labels[labels != 0] = 1\n"
         "    return labels.astype(bool)\n", r"changed its first argument in place"),
        ("separate ignored", "def instance_to_binary(labels, *, separate=False):\n    return labels != 0\n",
         r"left nothing out"),
        ("rims removed too", ("from skimage.segmentation import find_boundaries\n"
         "def instance_to_binary(labels, *, separate=False):\n    binary = labels != 0\n"
         "    if separate:\n        binary = binary & ~find_boundaries(labels, mode='inner')\n    return binary\n"),
         r"next to the background or the image border stay True"),
        ("one side of the contact", ("def instance_to_binary(labels, *, separate=False):\n    binary = labels != 0\n"
         "    if separate:\n        binary = binary.copy()\n"
         "        binary[1:][(labels[1:] != labels[:-1]) & (labels[1:] != 0) & (labels[:-1] != 0)] = False\n"
         "        binary[:, 1:][(labels[:, 1:] != labels[:, :-1]) & (labels[:, 1:] != 0) & (labels[:, :-1] != 0)] = False\n"
         "    return binary\n"), r"both pixels of every touching pair"),
        ("diagonal neighbours too", ("def instance_to_binary(labels, *, separate=False):\n    binary = labels != 0\n"
         "    if separate:\n        grown = ndi.grey_dilation(labels, size=(3, 3))\n"
         "        shrunk = ndi.grey_erosion(np.where(labels == 0, labels.max() + 1, labels), size=(3, 3))\n"
         "        binary = binary & (grown == labels) & (shrunk == labels)\n    return binary\n"),
         r"only at a corner"),
    ],
    ("03-masks-and-disks", "count_objects"): [
        ("the largest id", "def count_objects(labels):\n    return int(labels.max())\n",
         r"labels\.max\(\) is not the count"),
        ("counts the background", "def count_objects(labels):\n    return len(np.unique(labels))\n",
         r"count the background"),
        ("assumes a background", "def count_objects(labels):\n    return len(np.unique(labels)) - 1\n",
         r"do not assume a 0 is there"),
        ("NumPy integer", "def count_objects(labels):\n    return np.unique(labels[labels != 0]).size * np.int64(1)\n",
         r"Convert it with int"),
    ],
    ("03-masks-and-disks", "relabel_consecutive"): [
        ("relabel_sequential's tuple", "from skimage.segmentation import relabel_sequential\n"
         "def relabel_consecutive(labels):\n    return relabel_sequential(labels)\n", r"keep the first"),
        ("order of appearance", "def relabel_consecutive(labels):\n    result = np.zeros_like(labels)\n"
         "    seen = {}\n    for index, value in enumerate(labels.ravel()):\n"
         "        if value and value not in seen:\n            seen[value] = len(seen) + 1\n"
         "        if value:\n            result.ravel()[index] = seen[value]\n    return result\n",
         r"the smallest id, 4, becomes 1"),
        ("background counted", "def relabel_consecutive(labels):\n"
         "    return np.unique(labels, return_inverse=True)[1].reshape(labels.shape)\n",
         r"the smallest id, 4, becomes 1|the first object is still 1"),
    ],
    ("03-masks-and-disks", "draw_disks"): [
        ("no clipping", "from skimage.draw import disk\ndef draw_disks(height, width, disks):\n"
         "    image = np.zeros((height, width), dtype=np.int64)\n"
         "    for i, (row, col, radius) in enumerate(disks, start=1):\n"
         "        rr, cc = disk((row, col), radius)\n        image[rr, cc] = i\n    return image\n",
         r"crosses the border|nothing wraps around"),
        ("every disk 1", "from skimage.draw import disk\ndef draw_disks(height, width, disks):\n"
         "    image = np.zeros((height, width), dtype=np.int64)\n"
         "    for row, col, radius in disks:\n"
         "        rr, cc = disk((row, col), radius, shape=image.shape)\n        image[rr, cc] = 1\n"
         "    return image\n", r"disk 2 value 2"),
        ("closed disks", "def draw_disks(height, width, disks):\n    rows, cols = np.mgrid[0:height, 0:width]\n"
         "    image = np.zeros((height, width), dtype=np.int64)\n"
         "    for i, (row, col, radius) in enumerate(disks, start=1):\n"
         "        image[(rows - row) ** 2 + (cols - col) ** 2 <= radius ** 2] = i\n    return image\n",
         r"pixels exactly 2 away are outside"),
        ("counting from 0", "from skimage.draw import disk\ndef draw_disks(height, width, disks):\n"
         "    image = np.zeros((height, width), dtype=np.int64)\n"
         "    for i, (row, col, radius) in enumerate(disks):\n"
         "        rr, cc = disk((row, col), radius, shape=image.shape)\n        image[rr, cc] = i\n"
         "    return image\n", r"value 1"),
        ("earlier disks on top", "from skimage.draw import disk\ndef draw_disks(height, width, disks):\n"
         "    image = np.zeros((height, width), dtype=np.int64)\n"
         "    for i, (row, col, radius) in reversed(list(enumerate(disks, start=1))):\n"
         "        rr, cc = disk((row, col), radius, shape=image.shape)\n        image[rr, cc] = i\n"
         "    return image\n", r"the later disk covers the overlap"),
    ],
    ("03-masks-and-disks", "count_components"): [
        ("8-connectivity", "def count_components(binary):\n"
         "    return int(ndi.label(binary, structure=np.ones((3, 3)))[1])\n", r"NOT connected: 4-connectivity"),
        ("ndi.label's tuple", "def count_components(binary):\n    return ndi.label(binary)\n",
         r"return only the number"),
    ],
    ("03-masks-and-disks", "choose_connectivity"): [
        ("8-connectivity everywhere", "def choose_connectivity():\n"
         "    return {'A': '8', 'B': '8', 'C': '8', 'D': '8'}\n", r"touch only at a corner join"),
        ("one connectivity where both work", "def choose_connectivity():\n"
         "    return {'A': '4', 'B': '8', 'C': 'neither', 'D': '4'}\n", r"Answer 'either'"),
        ("a connectivity for overlapping cells", "def choose_connectivity():\n"
         "    return {'A': '4', 'B': '8', 'C': '4', 'D': 'either'}\n", r"whatever the connectivity"),
        ("4-connectivity for the filament", "def choose_connectivity():\n"
         "    return {'A': '4', 'B': 'either', 'C': 'neither', 'D': 'either'}\n", r"cuts it into pieces"),
        ("a list instead of a dict", "def choose_connectivity():\n    return ['4', '8', 'neither', 'either']\n",
         r"should be a dict"),
    ],
    # 04-watershed -----------------------------------------------------------------------
    ("04-watershed", "distance_to_background"): [
        ("inverted mask", "def distance_to_background(binary):\n    return ndi.distance_transform_edt(binary == 0)\n",
         r"distance of the background to the objects"),
        ("city-block distance", "def distance_to_background(binary):\n"
         "    return ndi.distance_transform_cdt(binary, metric='taxicab')\n", r"Euclidean"),
        ("chessboard distance as floats", "def distance_to_background(binary):\n"
         "    return ndi.distance_transform_cdt(binary, metric='chessboard').astype(float)\n", r"chessboard distance|straight lines"),
        ("the border counts as background", "def distance_to_background(binary):\n"
         "    return ndi.distance_transform_edt(np.pad(binary, 1))[1:-1, 1:-1]\n",
         r"image border is not background"),
        ("profile with (x, y) coordinates", ("def distance_to_background(binary):\n    return ndi.distance_transform_edt(binary)\n"
         "def line_profile(image, start, end):\n    rr, cc = line(start[1], start[0], end[1], end[0])\n"
         "    return image[rr, cc]\n"), r"coordinates are swapped|\(row, col\) and \(x, y\)"),
        ("profile without its last pixel", ("def distance_to_background(binary):\n    return ndi.distance_transform_edt(binary)\n"
         "def line_profile(image, start, end):\n    rr, cc = line(start[0], start[1], end[0], end[1])\n"
         "    return image[rr[:-1], cc[:-1]]\n"), r"the line includes both ends"),
        ("profile_line", ("from skimage.measure import profile_line\n" + "def distance_to_background(binary):\n    return ndi.distance_transform_edt(binary)\n"
         "def line_profile(image, start, end):\n    return profile_line(image, start, end)\n"),
         r"samples the line at its own spacing"),
        ("profile from end to start", ("def distance_to_background(binary):\n    return ndi.distance_transform_edt(binary)\n"
         "def line_profile(image, start, end):\n    rr, cc = line(end[0], end[1], start[0], start[1])\n"
         "    return image[rr, cc]\n"), r"from end to start"),
    ],
    ("04-watershed", "markers_from_peaks"): [
        ("labels from 0", "def markers_from_peaks(coords, shape):\n    markers = np.zeros(shape, dtype=np.int64)\n"
         "    for label, (row, col) in enumerate(coords):\n        markers[row, col] = label\n    return markers\n",
         r"0 is not a label"),
        ("one label for all", "def markers_from_peaks(coords, shape):\n    markers = np.zeros(shape, dtype=np.int64)\n"
         "    markers[tuple(np.asarray(coords).T)] = 1\n    return markers\n", r"each peak needs its own label"),
        ("labelling a peak mask", "def markers_from_peaks(coords, shape):\n    mask = np.zeros(shape, dtype=bool)\n"
         "    mask[tuple(np.asarray(coords, dtype=int).reshape(-1, 2).T)] = True\n    return ndi.label(mask)[0]\n",
         r"ndi\.label joins"),
    ],
    ("04-watershed", "find_watershed"): [
        ("no minus sign", "def find_watershed(binary, min_distance=10):\n"
         "    distance = distance_to_background(binary)\n"
         "    coords = peak_local_max(distance, min_distance=min_distance, labels=binary)\n"
         "    labels = watershed(distance, markers_from_peaks(coords, binary.shape), mask=binary)\n"
         "    return labels, len(np.unique(labels[labels > 0]))\n", r"minus sign"),
        ("no mask", "def find_watershed(binary, min_distance=10):\n"
         "    distance = distance_to_background(binary)\n"
         "    coords = peak_local_max(distance, min_distance=min_distance, labels=binary)\n"
         "    labels = watershed(-distance, markers_from_peaks(coords, binary.shape))\n"
         "    return labels, len(np.unique(labels[labels > 0]))\n", r"mask="),
        ("min_distance ignored", "def find_watershed(binary, min_distance=10):\n"
         "    distance = distance_to_background(binary)\n"
         "    coords = peak_local_max(distance, min_distance=10, labels=binary)\n"
         "    labels = watershed(-distance, markers_from_peaks(coords, binary.shape), mask=binary)\n"
         "    return labels, len(np.unique(labels[labels > 0]))\n", r"min_distance"),
        ("labels only", "def find_watershed(binary, min_distance=10):\n"
         "    distance = distance_to_background(binary)\n"
         "    coords = peak_local_max(distance, min_distance=min_distance, labels=binary)\n"
         "    return watershed(-distance, markers_from_peaks(coords, binary.shape), mask=binary)\n",
         r"should be a tuple"),
        ("peaks without labels=", "def find_watershed(binary, min_distance=10):\n"
         "    distance = distance_to_background(binary)\n"
         "    coords = peak_local_max(distance, min_distance=min_distance)\n"
         "    labels = watershed(-distance, markers_from_peaks(coords, binary.shape), mask=binary)\n"
         "    return labels, len(np.unique(labels[labels > 0]))\n",
         r"near the image border got no marker.*without labels="),
        ("markers by ndi.label of the peak mask", "def find_watershed(binary, min_distance=10):\n"
         "    distance = distance_to_background(binary)\n"
         "    coords = peak_local_max(distance, min_distance=min_distance, labels=binary)\n"
         "    peaks = np.zeros(binary.shape, dtype=bool)\n    peaks[tuple(coords.T)] = True\n"
         "    labels = watershed(-distance, ndi.label(peaks)[0], mask=binary)\n"
         "    return labels, len(np.unique(labels[labels > 0]))\n",
         r"peaks that touch share one marker: ndi\.label"),
        ("counts len(np.unique(labels)) - 1", "def find_watershed(binary, min_distance=10):\n"
         "    distance = distance_to_background(binary)\n"
         "    coords = peak_local_max(distance, min_distance=min_distance, labels=binary)\n"
         "    labels = watershed(-distance, markers_from_peaks(coords, binary.shape), mask=binary)\n"
         "    return labels, len(np.unique(labels)) - 1\n",
         r"len\(np\.unique\(labels\)\) - 1 drops a real object"),
    ],
    ("04-watershed", "markers_from_plateaus"): [
        ("4-connected plateaus", "def markers_from_plateaus(distance, binary):\n"
         "    return ndi.label(local_maxima(distance) & (binary > 0))[0]\n", r"diagonal neighbours"),
        ("a marker per pixel", "def markers_from_plateaus(distance, binary):\n"
         "    maxima = local_maxima(distance) & (binary > 0)\n    markers = np.zeros(distance.shape, dtype=np.int64)\n"
         "    markers[maxima] = np.arange(1, maxima.sum() + 1)\n    return markers\n", r"the ridge is one plateau"),
    ],
    ("04-watershed", "choose_min_distance"): [
        ("the default, 10", "def choose_min_distance():\n    return 10\n", r"lost its peak.*Choose a smaller"),
        ("too small", "def choose_min_distance():\n    return 2\n", r"bumps of the ragged outlines.*larger"),
        ("on the edge, 7", "def choose_min_distance():\n    return 7\n", r"Choose a smaller min_distance"),
        ("a float", "def choose_min_distance():\n    return 5.0\n", r"should be an int"),
    ],
    ("04-watershed", "name_the_slips"): [
        ("rim and sign swapped", "def name_the_slips():\n    return {'A': 'flipped sign', 'B': 'min_distance too large', "
         "'C': 'missing mask', 'D': 'marker on the rim'}\n", r"Panel A is not what 'flipped sign' produces"),
        ("a merge taken for no slip", "def name_the_slips():\n    return {'A': 'marker on the rim', 'B': 'no slip', "
         "'C': 'missing mask', 'D': 'flipped sign'}\n", r"Panel B is not what 'no slip' produces"),
        ("a name not on the list", "def name_the_slips():\n    return {'A': 'marker on the rim', "
         "'B': 'min_distance too large', 'C': 'no mask', 'D': 'flipped sign'}\n", r"not one of the slips"),
        ("a list instead of a dict", "def name_the_slips():\n    return ['marker on the rim', 'min_distance too large', "
         "'missing mask', 'flipped sign']\n", r"should be a dict"),
    ],
    # 05-noise ---------------------------------------------------------------------------
    ("05-noise", "true_noise_probability"): [
        ("c - 1", "def true_noise_probability(c):\n    return c - 1\n", r"1 - 1/c"),
        ("(c - 1) / 1.1", "def true_noise_probability(c):\n    return (c - 1) / 1.1\n", r"divide by c itself"),
        ("1 / c", "def true_noise_probability(c):\n    return 1 / c\n", r"1 - 1/c"),
    ],
    ("05-noise", "add_salt_noise"): [
        ("global random numbers", "def add_salt_noise(binary, p, rng):\n    noisy = binary.copy()\n"
         "    noisy[np.random.random(binary.shape) < p] = 1\n    return noisy\n", r"all randomness must come from rng"),
        ("above p", "def add_salt_noise(binary, p, rng):\n    noisy = binary.copy()\n"
         "    noisy[rng.random(binary.shape) > p] = 1\n    return noisy\n", r"That is 1 - p"),
        ("in place", "def add_salt_noise(binary, p, rng):\n    binary[rng.random(binary.shape) < p] = 1\n"
         "    return binary\n", r"changed its first argument in place"),
        ("truncation recipe", "def add_salt_noise(binary, p, rng):\n"
         "    return np.maximum(binary, ((1 + p) * rng.random(binary.shape)).astype(binary.dtype))\n",
         r"1 - 1/\(1 \+ p\)"),
        ("noise replaces the mask", "def add_salt_noise(binary, p, rng):\n"
         "    return (rng.random(binary.shape) < p).astype(binary.dtype)\n", r"foreground must stay 1"),
        ("boolean result", "def add_salt_noise(binary, p, rng):\n"
         "    return (binary > 0) | (rng.random(binary.shape) < p)\n", r"dtype bool, but int64 was expected"),
    ],
    ("05-noise", "remove_speckles"): [
        ("iterations by position", "def remove_speckles(binary, iterations):\n"
         "    return ndi.binary_opening(binary, iterations)\n", r"pass the number of repetitions by name"),
        ("erosion only", "def remove_speckles(binary, iterations):\n"
         "    return ndi.binary_erosion(binary, iterations=iterations)\n", r"only eroded"),
        ("closing", "def remove_speckles(binary, iterations):\n"
         "    return ndi.binary_closing(binary, iterations=iterations)\n", r"closing"),
        ("square structuring element", "def remove_speckles(binary, iterations):\n"
         "    return ndi.binary_opening(binary, structure=np.ones((3, 3)), iterations=iterations)\n",
         r"3x3 square"),
        ("iterations ignored", "def remove_speckles(binary, iterations):\n"
         "    return ndi.binary_opening(binary)\n", r"ignores `iterations`"),
    ],
    ("05-noise", "erosions_to_remove"): [
        ("starts at iterations=0", "def erosions_to_remove(binary):\n    k = 0\n"
         "    while ndi.binary_erosion(binary, iterations=k).any():\n        k += 1\n    return k\n",
         r"iterations=0"),
        ("one short", "def erosions_to_remove(binary):\n    mask = np.asarray(binary, dtype=bool)\n    count = 0\n"
         "    while ndi.binary_erosion(mask).any():\n        mask = ndi.binary_erosion(mask)\n        count += 1\n"
         "    return count\n", r"count the erosion that empties the mask"),
        ("square structuring element", "def erosions_to_remove(binary):\n    mask = np.asarray(binary, dtype=bool)\n"
         "    count = 0\n    while mask.any():\n        mask = ndi.binary_erosion(mask, structure=np.ones((3, 3)))\n"
         "        count += 1\n    return count\n", r"the cross fits once"),
    ],
    ("05-noise", "choose_iterations"): [
        ("one iteration, as for salt noise", "def choose_iterations():\n    return 1\n", r"some dust survived"),
        ("two, for the typical speck", "def choose_iterations():\n    return 2\n",
         r"largest clump of dust"),
        ("the source's five", "def choose_iterations():\n    return 5\n", r"more than twice"),
        ("far too many", "def choose_iterations():\n    return 9\n", r"removed a whole cell"),
        ("a float", "def choose_iterations():\n    return 3.0\n", r"should be an int"),
    ],
    ("05-noise", "remove_small_specks"): [
        ("keeps components of exactly max_size", "def remove_small_specks(binary, max_size):\n"
         "    labels, _ = ndi.label(binary)\n    sizes = np.bincount(labels.ravel())\n"
         "    return (sizes >= max_size)[labels] & (labels > 0)\n", r"exactly max_size pixels is removed"),
        ("8-connectivity", "def remove_small_specks(binary, max_size):\n"
         "    labels, _ = ndi.label(binary, structure=np.ones((3, 3)))\n    sizes = np.bincount(labels.ravel())\n"
         "    return (sizes > max_size)[labels] & (labels > 0)\n", r"touching only at a corner"),
        ("integer result", "def remove_small_specks(binary, max_size):\n"
         "    labels, _ = ndi.label(binary)\n    sizes = np.bincount(labels.ravel())\n"
         "    return ((sizes > max_size)[labels] & (labels > 0)).astype(int)\n", r"but bool was expected"),
    ],
    # 06-ecoli --------------------------------------------------------------------------
    ("06-ecoli", "rescaled_level"): [
        ("no minimum", "def rescaled_level(image, level=180):\n    return level / 255 * float(image.max())\n",
         r"the scale starts at the image's minimum"),
        ("whole uint16 range", "def rescaled_level(image, level=180):\n    return level / 255 * 65535\n",
         r"whole uint16 range"),
        ("minimum not added back", "def rescaled_level(image, level=180):\n"
         "    return level / 255 * (float(image.max()) - float(image.min()))\n", r"add the minimum itself"),
        ("counted from the top", "def rescaled_level(image, level=180):\n    low, high = float(image.min()), float(image.max())\n"
         "    return high - level / 255 * (high - low)\n", r"counts down from the maximum"),
    ],
    ("06-ecoli", "otsu_dark_mask"): [
        ("bright pixels", "def otsu_dark_mask(image):\n    return image > threshold_otsu(image)\n",
         r"cells in phase contrast are dark"),
        ("the threshold itself", "def otsu_dark_mask(image):\n    return threshold_otsu(image)\n",
         r"that is the threshold\. Return the mask"),
        ("8-bit by astype", "def otsu_dark_mask(image):\n    small = image.astype(np.uint8)\n"
         "    return small < threshold_otsu(small)\n", r"wraps 16-bit values around"),
        ("the fixed level", "def otsu_dark_mask(image):\n    return image < rescaled_level(image)\n",
         r"fixed level of Exercise 1"),
        ("integers", "def otsu_dark_mask(image):\n    return (image < threshold_otsu(image)).astype(int)\n",
         r"but bool was expected"),
    ],
    ("06-ecoli", "sizes_in_pixels"): [
        ("multiplied by the pixel size", "def sizes_in_pixels(pixel_size_um, cell_width_um=1.0):\n"
         "    w = cell_width_um * pixel_size_um\n"
         "    return {'smoothing': round(0.075 * w, 2), 'background_radius': max(1, round(2 * w)),\n"
         "            'opening_radius': max(1, round(0.2 * w)), 'min_area': round(0.75 * w**2)}\n",
         r"multiplied by the pixel size"),
        ("area not squared", "def sizes_in_pixels(pixel_size_um, cell_width_um=1.0):\n"
         "    w = cell_width_um / pixel_size_um\n"
         "    return {'smoothing': round(0.075 * w, 2), 'background_radius': max(1, round(2 * w)),\n"
         "            'opening_radius': max(1, round(0.2 * w)), 'min_area': round(0.75 * w)}\n",
         r"square of the width"),
        ("rounded down", "def sizes_in_pixels(pixel_size_um, cell_width_um=1.0):\n"
         "    w = cell_width_um / pixel_size_um\n"
         "    return {'smoothing': round(0.075 * w, 2), 'background_radius': max(1, int(2 * w)),\n"
         "            'opening_radius': max(1, int(0.2 * w)), 'min_area': int(0.75 * w**2)}\n",
         r"rounded down"),
        ("NumPy rounding gives floats", "def sizes_in_pixels(pixel_size_um, cell_width_um=1.0):\n"
         "    w = cell_width_um / pixel_size_um\n"
         "    return {'smoothing': round(0.075 * w, 2), 'background_radius': max(1, np.round(2 * w)),\n"
         "            'opening_radius': max(1, np.round(0.2 * w)), 'min_area': np.round(0.75 * w**2)}\n",
         r"should be an int, but it is a float"),
    ],
    ("06-ecoli", "clean_mask"): [
        ("cross repeated", "def clean_mask(mask, opening_radius, min_area):\n"
         "    opened = ndi.binary_opening(mask, iterations=max(opening_radius, 1))\n"
         "    return remove_small_objects(opened, max_size=max(min_area - 1, 0))\n", r"a diamond, not a disk"),
        ("square footprint", "def clean_mask(mask, opening_radius, min_area):\n"
         "    side = 2 * opening_radius + 1\n"
         "    opened = ndi.binary_opening(mask, structure=np.ones((side, side)))\n"
         "    return remove_small_objects(opened, max_size=max(min_area - 1, 0))\n", r"7x7 square"),
        ("area first", "def clean_mask(mask, opening_radius, min_area):\n"
         "    kept = remove_small_objects(mask.astype(bool), max_size=max(min_area - 1, 0))\n"
         "    return opening(kept, disk(opening_radius))\n", r"removed before the opening"),
        ("8-connectivity", "def clean_mask(mask, opening_radius, min_area):\n"
         "    opened = opening(mask.astype(bool), disk(opening_radius))\n"
         "    return remove_small_objects(opened, max_size=max(min_area - 1, 0), connectivity=2)\n",
         r"4-connectivity"),
        ("exactly min_area removed", "def clean_mask(mask, opening_radius, min_area):\n"
         "    opened = opening(mask.astype(bool), disk(opening_radius))\n"
         "    return remove_small_objects(opened, max_size=min_area)\n", r"exactly min_area pixels were removed"),
        ("opening only", "def clean_mask(mask, opening_radius, min_area):\n"
         "    return opening(mask.astype(bool), disk(opening_radius))\n", r"nothing was removed by area"),
        ("integer result", "def clean_mask(mask, opening_radius, min_area):\n"
         "    opened = opening(mask.astype(bool), disk(opening_radius))\n"
         "    return remove_small_objects(opened, max_size=max(min_area - 1, 0)).astype(np.uint8)\n",
         r"but bool was expected"),
    ],
    ("06-ecoli", "segment_rods"): [
        ("no flattening", "def segment_rods(image, pixel_size_um, cell_width_um=1.0, depth=0.1):\n"
         "    sizes = sizes_in_pixels(pixel_size_um, cell_width_um)\n"
         "    relative = image / 1.0\n"
         "    cleaned = clean_mask(otsu_dark_mask(relative), sizes['opening_radius'], sizes['min_area'])\n"
         "    markers, _ = ndi.label(h_minima(relative, depth).astype(bool) & cleaned, structure=np.ones((3, 3)))\n"
         "    labels = watershed(relative, markers, mask=cleaned)\n"
         "    areas = np.bincount(labels.ravel()); small = areas < sizes['min_area']; small[0] = False\n"
         "    labels[small[labels]] = 0\n    return labels\n", r"flatten the background first"),
        ("disk of 0.75 w", "def segment_rods(image, pixel_size_um, cell_width_um=1.0, depth=0.1):\n"
         "    sizes = sizes_in_pixels(pixel_size_um, cell_width_um)\n"
         "    radius = max(1, round(0.75 * cell_width_um / pixel_size_um))\n"
         "    relative = sh.flatten_background(image, radius, smoothing=sizes['smoothing'])\n"
         "    cleaned = clean_mask(otsu_dark_mask(relative), sizes['opening_radius'], sizes['min_area'])\n"
         "    markers, _ = ndi.label(h_minima(relative, depth).astype(bool) & cleaned, structure=np.ones((3, 3)))\n"
         "    labels = watershed(relative, markers, mask=cleaned)\n"
         "    areas = np.bincount(labels.ravel()); small = areas < sizes['min_area']; small[0] = False\n"
         "    labels[small[labels]] = 0\n    return labels\n", r"a disk of 0.75 w, which fits into a group"),
        ("labels and count", "def segment_rods(image, pixel_size_um, cell_width_um=1.0, depth=0.1):\n"
         "    sizes = sizes_in_pixels(pixel_size_um, cell_width_um)\n"
         "    relative = sh.flatten_background(image, sizes['background_radius'], smoothing=sizes['smoothing'])\n"
         "    cleaned = clean_mask(otsu_dark_mask(relative), sizes['opening_radius'], sizes['min_area'])\n"
         "    return sh.find_watershed(cleaned, 37)\n", r"returned a tuple"),
    ],
    ("06-ecoli", "measure_cells"): [
        ("area in pixels", "def measure_cells(labels, pixel_size_um):\n"
         "    t = regionprops_table(labels, properties=('label', 'area', 'axis_major_length'))\n"
         "    return {'label': t['label'], 'area_um2': t['area'].astype(float),\n"
         "            'length_um': t['axis_major_length'] * pixel_size_um}\n", r"the area in pixels"),
        ("area times the pixel size", "def measure_cells(labels, pixel_size_um):\n"
         "    t = regionprops_table(labels, properties=('label', 'area', 'axis_major_length'))\n"
         "    return {'label': t['label'], 'area_um2': t['area'] * pixel_size_um,\n"
         "            'length_um': t['axis_major_length'] * pixel_size_um}\n", r"multiply by the square"),
        ("length in pixels", "def measure_cells(labels, pixel_size_um):\n"
         "    t = regionprops_table(labels, properties=('label', 'area', 'axis_major_length'))\n"
         "    return {'label': t['label'], 'area_um2': t['area'] * pixel_size_um**2,\n"
         "            'length_um': t['axis_major_length']}\n", r"length in pixels"),
        ("minor axis", "def measure_cells(labels, pixel_size_um):\n"
         "    t = regionprops_table(labels, properties=('label', 'area', 'axis_minor_length'))\n"
         "    return {'label': t['label'], 'area_um2': t['area'] * pixel_size_um**2,\n"
         "            'length_um': t['axis_minor_length'] * pixel_size_um}\n", r"that is the minor axis"),
        ("regionprops names", "def measure_cells(labels, pixel_size_um):\n"
         "    return regionprops_table(labels, properties=('label', 'area', 'axis_major_length'))\n",
         r"has the keys"),
    ],
    ("06-ecoli", "new_field_settings"): [
        ("the chapter's own pixel size", "def new_field_settings():\n"
         "    return {'pixel_size_um': 0.05, 'cell_width_um': 1.0}\n", r"too short in µm", GRADED),
        ("the minor axis as the width", "def new_field_settings():\n"
         "    return {'pixel_size_um': 0.054, 'cell_width_um': 1.0}\n", r"too short in µm", GRADED),
        ("nanometres", "def new_field_settings():\n"
         "    return {'pixel_size_um': 65, 'cell_width_um': 1.0}\n", r"not a value in nm"),
    ],
    # 07-iou -------------------------------------------------------------------------------
    ("07-iou", "iou"): [
        ("union as the sum of the areas", "def iou(mask_a, mask_b):\n"
         "    both = np.count_nonzero(np.logical_and(mask_a, mask_b))\n"
         "    total = np.count_nonzero(mask_a) + np.count_nonzero(mask_b)\n    return both / total if total else 1.0\n",
         r"counts the shared pixels twice"),
        ("Dice instead of IoU", "def iou(mask_a, mask_b):\n"
         "    total = np.count_nonzero(mask_a) + np.count_nonzero(mask_b)\n"
         "    return 2 * np.count_nonzero(mask_a & mask_b) / total if total else 1.0\n", r"Dice coefficient"),
        ("pixel agreement", "def iou(mask_a, mask_b):\n    return float(np.mean(mask_a == mask_b))\n",
         r"where the two masks agree, background included"),
        ("integer division", "def iou(mask_a, mask_b):\n    union = np.count_nonzero(mask_a | mask_b)\n"
         "    return np.count_nonzero(mask_a & mask_b) // union if union else 1.0\n", r"integer division"),
        ("`and` on arrays", "def iou(mask_a, mask_b):\n"
         "    return np.count_nonzero(mask_a and mask_b) / np.count_nonzero(mask_a or mask_b)\n",
         r"pixel by pixel with &, \| and ~"),
        ("arithmetic on 0/1 masks", "def iou(mask_a, mask_b):\n    union = (mask_a + mask_b).sum()\n"
         "    return (mask_a * mask_b).sum() / union if union else 1.0\n", r"a \+ b is 2 where both are set"),
        ("empty masks give nan", "def iou(mask_a, mask_b):\n"
         "    return np.logical_and(mask_a, mask_b).sum() / np.logical_or(mask_a, mask_b).sum()\n",
         r"return 1\.0 when the union is empty"),
        ("empty masks divide by zero", "def iou(mask_a, mask_b):\n"
         "    return np.count_nonzero(mask_a & mask_b) / np.count_nonzero(mask_a | mask_b)\n",
         r"return 1\.0 when the union is empty"),
        ("empty masks give 0", "def iou(mask_a, mask_b):\n    union = np.count_nonzero(mask_a | mask_b)\n"
         "    return np.count_nonzero(mask_a & mask_b) / union if union else 0.0\n", r"two empty masks are identical"),
    ],
    ("07-iou", "iou_matrix"): [
        ("background as an object", "def iou_matrix(true_labels, pred_labels):\n"
         "    true_ids, pred_ids = np.unique(true_labels), np.unique(pred_labels)\n"
         "    matrix = np.zeros((len(true_ids), len(pred_ids)))\n"
         "    for i, t in enumerate(true_ids):\n        for j, p in enumerate(pred_ids):\n"
         "            matrix[i, j] = iou(true_labels == t, pred_labels == p)\n    return matrix\n",
         r"the background \(label 0\) is not an object"),
        ("transposed", "def iou_matrix(true_labels, pred_labels):\n"
         "    true_ids = [t for t in np.unique(true_labels) if t != 0]\n"
         "    pred_ids = [p for p in np.unique(pred_labels) if p != 0]\n"
         "    matrix = np.zeros((len(pred_ids), len(true_ids)))\n"
         "    for i, t in enumerate(true_ids):\n        for j, p in enumerate(pred_ids):\n"
         "            matrix[j, i] = iou(true_labels == t, pred_labels == p)\n    return matrix\n", r"transposed"),
        ("label values as positions", "def iou_matrix(true_labels, pred_labels):\n"
         "    matrix = np.zeros((true_labels.max(), pred_labels.max()))\n"
         "    for t in np.unique(true_labels[true_labels > 0]):\n"
         "        for p in np.unique(pred_labels[pred_labels > 0]):\n"
         "            matrix[t - 1, p - 1] = iou(true_labels == t, pred_labels == p)\n    return matrix\n",
         r"labels are names, not positions"),
        ("labels 1 to n, with iou", "def iou_matrix(true_labels, pred_labels):\n"
         "    n_true, n_pred = len(np.unique(true_labels)) - 1, len(np.unique(pred_labels)) - 1\n"
         "    matrix = np.zeros((n_true, n_pred))\n"
         "    for i in range(n_true):\n        for j in range(n_pred):\n"
         "            matrix[i, j] = iou(true_labels == i + 1, pred_labels == j + 1)\n    return matrix\n",
         r"labels need not be consecutive"),
        ("labels 1 to n, dividing by zero", "def iou_matrix(true_labels, pred_labels):\n"
         "    n_true, n_pred = len(np.unique(true_labels)) - 1, len(np.unique(pred_labels)) - 1\n"
         "    matrix = np.zeros((n_true, n_pred))\n"
         "    for i in range(n_true):\n        for j in range(n_pred):\n"
         "            a, b = true_labels == i + 1, pred_labels == j + 1\n"
         "            matrix[i, j] = int(np.sum(a & b)) / int(np.sum(a | b))\n    return matrix\n",
         r"not consecutive\. Loop over the labels that np\.unique finds"),
        ("np.unique(labels)[1:]", "def iou_matrix(true_labels, pred_labels):\n"
         "    true_ids, pred_ids = np.unique(true_labels)[1:], np.unique(pred_labels)[1:]\n"
         "    matrix = np.zeros((len(true_ids), len(pred_ids)))\n"
         "    for i, t in enumerate(true_ids):\n        for j, p in enumerate(pred_ids):\n"
         "            matrix[i, j] = iou(true_labels == t, pred_labels == p)\n    return matrix\n",
         r"np\.unique\(labels\)\[1:\] drops the smallest label"),
        ("integer matrix", "def iou_matrix(true_labels, pred_labels):\n"
         "    true_ids = [t for t in np.unique(true_labels) if t != 0]\n"
         "    pred_ids = [p for p in np.unique(pred_labels) if p != 0]\n"
         "    matrix = np.zeros((len(true_ids), len(pred_ids)), dtype=int)\n"
         "    for i, t in enumerate(true_ids):\n        for j, p in enumerate(pred_ids):\n"
         "            matrix[i, j] = iou(true_labels == t, pred_labels == p)\n    return matrix\n",
         r"dtype int64, but a floating-point type"),
        ("union as the sum of the areas", "def iou_matrix(true_labels, pred_labels):\n"
         "    true_ids = [t for t in np.unique(true_labels) if t != 0]\n"
         "    pred_ids = [p for p in np.unique(pred_labels) if p != 0]\n"
         "    matrix = np.zeros((len(true_ids), len(pred_ids)))\n"
         "    for i, t in enumerate(true_ids):\n        for j, p in enumerate(pred_ids):\n"
         "            a, b = true_labels == t, pred_labels == p\n"
         "            matrix[i, j] = np.sum(a & b) / (np.sum(a) + np.sum(b))\n    return matrix\n",
         r"counts the shared pixels twice"),
    ],
    ("07-iou", "match_instances"): [
        ("greedy", "def match_instances(true_labels, pred_labels, threshold=0.5):\n"
         "    true_ids = [t for t in np.unique(true_labels) if t != 0]\n"
         "    pred_ids = [p for p in np.unique(pred_labels) if p != 0]\n"
         "    matrix = iou_matrix(true_labels, pred_labels)\n    pairs, used_rows, used_cols = [], set(), set()\n"
         "    for flat in np.argsort(-matrix, axis=None):\n"
         "        r, c = np.unravel_index(flat, matrix.shape)\n"
         "        if matrix[r, c] >= threshold and r not in used_rows and c not in used_cols:\n"
         "            pairs.append((int(true_ids[r]), int(pred_ids[c])))\n"
         "            used_rows.add(r)\n            used_cols.add(c)\n    return sorted(pairs)\n",
         r"Maximize the number of pairs"),
        ("largest total IoU", "def match_instances(true_labels, pred_labels, threshold=0.5):\n"
         "    true_ids = [t for t in np.unique(true_labels) if t != 0]\n"
         "    pred_ids = [p for p in np.unique(pred_labels) if p != 0]\n"
         "    matrix = iou_matrix(true_labels, pred_labels)\n"
         "    rows, cols = linear_sum_assignment(matrix, maximize=True)\n"
         "    return [(int(true_ids[r]), int(pred_ids[c])) for r, c in zip(rows, cols) if matrix[r, c] >= threshold]\n",
         r"Maximize the number of pairs"),
        ("pairs below the threshold kept", "def match_instances(true_labels, pred_labels, threshold=0.5):\n"
         "    true_ids = [t for t in np.unique(true_labels) if t != 0]\n"
         "    pred_ids = [p for p in np.unique(pred_labels) if p != 0]\n"
         "    matrix = iou_matrix(true_labels, pred_labels)\n    if matrix.size == 0:\n        return []\n"
         "    weights = (matrix >= threshold) + matrix / (2 * min(matrix.shape))\n"
         "    rows, cols = linear_sum_assignment(weights, maximize=True)\n"
         "    return [(int(true_ids[r]), int(pred_ids[c])) for r, c in zip(rows, cols)]\n",
         r"keep only (the pairs|those) with IoU >= threshold"),
        ("> instead of >=", "def match_instances(true_labels, pred_labels, threshold=0.5):\n"
         "    true_ids = [t for t in np.unique(true_labels) if t != 0]\n"
         "    pred_ids = [p for p in np.unique(pred_labels) if p != 0]\n"
         "    matrix = iou_matrix(true_labels, pred_labels)\n    if matrix.size == 0:\n        return []\n"
         "    rows, cols = linear_sum_assignment(matrix > threshold, maximize=True)\n"
         "    return [(int(true_ids[r]), int(pred_ids[c])) for r, c in zip(rows, cols) if matrix[r, c] > threshold]\n",
         r"compare with >=, not >"),
        ("rows and columns instead of labels", "def match_instances(true_labels, pred_labels, threshold=0.5):\n"
         "    matrix = iou_matrix(true_labels, pred_labels)\n    if matrix.size == 0:\n        return []\n"
         "    rows, cols = linear_sum_assignment(matrix >= threshold, maximize=True)\n"
         "    return [(int(r), int(c)) for r, c in zip(rows, cols) if matrix[r, c] >= threshold]\n",
         r"row and column numbers of the IoU matrix"),
        ("(pred, true) pairs", "def match_instances(true_labels, pred_labels, threshold=0.5):\n"
         "    true_ids = [t for t in np.unique(true_labels) if t != 0]\n"
         "    pred_ids = [p for p in np.unique(pred_labels) if p != 0]\n"
         "    matrix = iou_matrix(true_labels, pred_labels)\n    if matrix.size == 0:\n        return []\n"
         "    rows, cols = linear_sum_assignment(matrix >= threshold, maximize=True)\n"
         "    return [(int(pred_ids[c]), int(true_ids[r])) for r, c in zip(rows, cols) if matrix[r, c] >= threshold]\n",
         r"true label first"),
        ("every pair above the threshold", "def match_instances(true_labels, pred_labels, threshold=0.5):\n"
         "    true_ids = [t for t in np.unique(true_labels) if t != 0]\n"
         "    pred_ids = [p for p in np.unique(pred_labels) if p != 0]\n"
         "    matrix = iou_matrix(true_labels, pred_labels)\n"
         "    return [(int(true_ids[r]), int(pred_ids[c])) for r, c in zip(*np.nonzero(matrix >= threshold))]\n",
         r"the matching is one to one"),
    ],
    ("07-iou", "f1_at"): [
        ("counts len(np.unique(labels)) - 1", "def f1_at(true_labels, pred_labels, threshold=0.5):\n    n_true = len(np.unique(true_labels)) - 1\n    n_pred = len(np.unique(pred_labels)) - 1\n    if n_true + n_pred == 0:\n        return 1.0\n    return 2 * len(match_instances(true_labels, pred_labels, threshold)) / (n_true + n_pred)\n",
         r"len\(np\.unique\(labels\)\) - 1 counts one object too few"),
        ("TP / (TP + FP + FN)", "def f1_at(true_labels, pred_labels, threshold=0.5):\n"
         "    n = np.count_nonzero(np.unique(true_labels)) + np.count_nonzero(np.unique(pred_labels))\n"
         "    tp = len(match_instances(true_labels, pred_labels, threshold))\n"
         "    return tp / (n - tp) if n else 1.0\n", r"stardist calls accuracy"),
        ("precision", "def f1_at(true_labels, pred_labels, threshold=0.5):\n"
         "    n_pred = np.count_nonzero(np.unique(pred_labels))\n"
         "    tp = len(match_instances(true_labels, pred_labels, threshold))\n"
         "    return tp / n_pred if n_pred else 1.0\n", r"that is the precision"),
        ("background counted", "def f1_at(true_labels, pred_labels, threshold=0.5):\n"
         "    n = len(np.unique(true_labels)) + len(np.unique(pred_labels))\n"
         "    return 2 * len(match_instances(true_labels, pred_labels, threshold)) / n\n",
         r"background was counted as an object"),
        ("every pair above the threshold", "def f1_at(true_labels, pred_labels, threshold=0.5):\n"
         "    n = np.count_nonzero(np.unique(true_labels)) + np.count_nonzero(np.unique(pred_labels))\n"
         "    tp = np.count_nonzero(iou_matrix(true_labels, pred_labels) >= threshold)\n"
         "    return 2 * tp / n if n else 1.0\n", r"the matching is one to one"),
        ("threshold ignored", "def f1_at(true_labels, pred_labels, threshold=0.5):\n"
         "    n = np.count_nonzero(np.unique(true_labels)) + np.count_nonzero(np.unique(pred_labels))\n"
         "    return 2 * len(match_instances(true_labels, pred_labels)) / n if n else 1.0\n",
         r"ignores its threshold"),
        ("empty images divide by zero", "def f1_at(true_labels, pred_labels, threshold=0.5):\n"
         "    n = np.count_nonzero(np.unique(true_labels)) + np.count_nonzero(np.unique(pred_labels))\n"
         "    return 2 * len(match_instances(true_labels, pred_labels, threshold)) / n\n",
         r"both images have no objects, return 1\.0"),
        ("empty images give 0", "def f1_at(true_labels, pred_labels, threshold=0.5):\n"
         "    n = np.count_nonzero(np.unique(true_labels)) + np.count_nonzero(np.unique(pred_labels))\n"
         "    return 2 * len(match_instances(true_labels, pred_labels, threshold)) / n if n else 0.0\n",
         r"nothing to find and nothing found wrongly"),
    ],
    ("07-iou", "precision_recall"): [
        ("counts len(np.unique(labels)) - 1", "def precision_recall(true_labels, pred_labels, threshold=0.5):\n    n_true = len(np.unique(true_labels)) - 1\n    n_pred = len(np.unique(pred_labels)) - 1\n    if n_true + n_pred == 0:\n        return (1.0, 1.0)\n    tp = len(match_instances(true_labels, pred_labels, threshold))\n    return (tp / n_pred if n_pred else 0.0, tp / n_true if n_true else 0.0)\n",
         r"len\(np\.unique\(labels\)\) - 1 counts one object too few"),
        ("swapped", "def precision_recall(true_labels, pred_labels, threshold=0.5):\n"
         "    n_true, n_pred = np.count_nonzero(np.unique(true_labels)), np.count_nonzero(np.unique(pred_labels))\n"
         "    if n_true + n_pred == 0:\n        return (1.0, 1.0)\n"
         "    tp = len(match_instances(true_labels, pred_labels, threshold))\n"
         "    return (tp / n_true if n_true else 0.0, tp / n_pred if n_pred else 0.0)\n", r"swapped"),
        ("a list", "def precision_recall(true_labels, pred_labels, threshold=0.5):\n"
         "    n_true, n_pred = np.count_nonzero(np.unique(true_labels)), np.count_nonzero(np.unique(pred_labels))\n"
         "    if n_true + n_pred == 0:\n        return [1.0, 1.0]\n"
         "    tp = len(match_instances(true_labels, pred_labels, threshold))\n"
         "    return [tp / n_pred if n_pred else 0.0, tp / n_true if n_true else 0.0]\n", r"return a tuple"),
        ("background counted", "def precision_recall(true_labels, pred_labels, threshold=0.5):\n"
         "    tp = len(match_instances(true_labels, pred_labels, threshold))\n"
         "    return (tp / len(np.unique(pred_labels)), tp / len(np.unique(true_labels)))\n",
         r"background was counted as an object"),
        ("empty images divide by zero", "def precision_recall(true_labels, pred_labels, threshold=0.5):\n"
         "    n_true, n_pred = np.count_nonzero(np.unique(true_labels)), np.count_nonzero(np.unique(pred_labels))\n"
         "    tp = len(match_instances(true_labels, pred_labels, threshold))\n"
         "    return (tp / n_pred, tp / n_true)\n", r"return \(1\.0, 1\.0\) before dividing|1\.0 for both when both images are empty"),
        ("no prediction, precision 1", "def precision_recall(true_labels, pred_labels, threshold=0.5):\n"
         "    n_true, n_pred = np.count_nonzero(np.unique(true_labels)), np.count_nonzero(np.unique(pred_labels))\n"
         "    tp = len(match_instances(true_labels, pred_labels, threshold))\n"
         "    return (tp / n_pred if n_pred else 1.0, tp / n_true if n_true else 1.0)\n",
         r"is 0 / 0, which is 0\.0 by the convention"),
    ],
    ("07-iou", "fair_threshold"): [
        ("the strict 0.9 of benchmarks", "fair_threshold = 0.9\n",
         r"outlines 1\.5 pixels wider lose \d+ of the 128 cells"),
        ("0.8, just above the 1.5 px wider outlines", "fair_threshold = 0.8\n", r"Choose a lower threshold"),
        ("a lenient 0.3", "fair_threshold = 0.3\n", r"centre disks of the 20 real frames count as segmented cells"),
        ("the conventional 0.5", "fair_threshold = 0.5\n",
         r"outlines 3 pixels too wide of the 20 real frames still count as segmented cells"),
        ("0.7, not strict enough", "fair_threshold = 0.7\n", r"outlines 3 pixels too wide .*Choose a higher threshold"),
        ("a percentage", "fair_threshold = 50\n", r"a percentage\? Divide by 100"),
        ("a string", "fair_threshold = '0.5'\n", r"should be a float or an int, but it is a str"),
    ],
    # 08-timelapse ---------------------------------------------------------------------
    ("08-timelapse", "count_per_frame"): [
        ("the largest label", "def count_per_frame(label_stack):\n    return np.array([frame.max() for frame in label_stack])\n",
         r"largest label of each frame"),
        ("len(np.unique) - 1", "def count_per_frame(label_stack):\n"
                               "    return np.array([len(np.unique(frame)) - 1 for frame in label_stack])\n",
         r"assumes that every frame has\s+background"),
        ("background counted", "def count_per_frame(label_stack):\n"
                               "    return np.array([len(np.unique(frame)) for frame in label_stack])\n",
         r"background \(label 0\) was counted"),
        ("one count for the stack", "def count_per_frame(label_stack):\n"
                                    "    return np.count_nonzero(np.unique(label_stack))\n",
         r"single number .*one count per frame"),
        ("a list", "def count_per_frame(label_stack):\n"
                   "    return [int(np.count_nonzero(np.unique(frame))) for frame in label_stack]\n",
         r"is a list: return a NumPy array"),
    ],
    ("08-timelapse", "fit_doubling_time"): [
        ("log10", "def fit_doubling_time(times, counts):\n    fit = stats.linregress(times, np.log10(counts))\n"
                  "    return float(np.log(2) / fit.slope), float(np.log(2) * fit.stderr / fit.slope ** 2)\n",
         r"log10\(counts\)"),
        ("the growth rate instead", "def fit_doubling_time(times, counts):\n    fit = stats.linregress(times, np.log(counts))\n"
                                    "    return float(fit.slope), float(fit.stderr)\n",
         r"that is the growth rate r"),
        ("counts fitted without a logarithm", "def fit_doubling_time(times, counts):\n    fit = stats.linregress(times, counts)\n"
                                              "    return float(np.log(2) / fit.slope), float(np.log(2) * fit.stderr / fit.slope ** 2)\n",
         r"fitted to the counts themselves"),
        ("the slope's error not propagated", "def fit_doubling_time(times, counts):\n"
                                             "    fit = stats.linregress(times, np.log(counts))\n"
                                             "    return float(np.log(2) / fit.slope), float(fit.stderr)\n",
         r"propagate it to the doubling time"),
        ("a power missing in the propagation", "def fit_doubling_time(times, counts):\n"
                                               "    fit = stats.linregress(times, np.log(counts))\n"
                                               "    return float(np.log(2) / fit.slope), float(np.log(2) * fit.stderr / fit.slope)\n",
         r"lacks a power"),
        ("x and y swapped", "def fit_doubling_time(times, counts):\n    fit = stats.linregress(np.log(counts), times)\n"
                            "    return float(np.log(2) * fit.slope), float(np.log(2) * fit.stderr)\n",
         r"arguments of the fit were swapped"),
    ],
    ("08-timelapse", "link_frames"): [
        ("equal label numbers", "def link_frames(prev_labels, next_labels, threshold=0.5):\n"
                                "    common = set(np.unique(prev_labels)) & set(np.unique(next_labels)) - {0}\n"
                                "    return sorted((int(v), int(v)) for v in common)\n",
         r"labels of the two frames are not linked"),
        ("(next, prev) pairs", "def link_frames(prev_labels, next_labels, threshold=0.5):\n"
                               "    return sorted((int(b), int(a)) for a, b in sh.match_instances(prev_labels, next_labels, threshold))\n",
         r"the pairs are \(next, prev\)"),
        ("IoU > threshold", "def link_frames(prev_labels, next_labels, threshold=0.5):\n"
                            "    return sorted((int(a), int(b)) for a, b in sh.match_instances(prev_labels, next_labels, threshold)\n"
                            "                  if sh.iou(prev_labels == a, next_labels == b) > threshold)\n",
         r"compare with >=, not >"),
        ("the best overlap without a threshold", "def link_frames(prev_labels, next_labels, threshold=0.5):\n"
         "    links = []\n    for a in np.unique(prev_labels[prev_labels > 0]):\n"
         "        under, n = np.unique(next_labels[prev_labels == a], return_counts=True)\n"
         "        n, under = n[under > 0], under[under > 0]\n"
         "        if len(under):\n            links.append((int(a), int(under[np.argmax(n)])))\n    return links\n",
         r"IoU of only 0\.2"),
        ("the threshold ignored", "def link_frames(prev_labels, next_labels, threshold=0.5):\n"
                                  "    return sorted((int(a), int(b)) for a, b in sh.match_instances(prev_labels, next_labels, 0.5))\n",
         r"threshold 0\.2 was not used"),
        ("greedy: the best pair first", "def link_frames(prev_labels, next_labels, threshold=0.5):\n"
         "    a_ids = [v for v in np.unique(prev_labels) if v]\n    b_ids = [v for v in np.unique(next_labels) if v]\n"
         "    scores = sorted(((sh.iou(prev_labels == a, next_labels == b), int(a), int(b)) for a in a_ids for b in b_ids), reverse=True)\n"
         "    used_a, used_b, links = set(), set(), []\n"
         "    for value, a, b in scores:\n"
         "        if value >= threshold and a not in used_a and b not in used_b:\n"
         "            links.append((a, b)); used_a.add(a); used_b.add(b)\n    return sorted(links)\n",
         r"the best pair first is not the most pairs"),
    ],
    ("08-timelapse", "find_divisions"): [
        ("IoU with the mother", "def find_divisions(prev_labels, next_labels, min_overlap=0.5):\n"
         "    children = {}\n    for c in np.unique(next_labels[next_labels > 0]):\n"
         "        for p in np.unique(prev_labels[prev_labels > 0]):\n"
         "            if sh.iou(prev_labels == p, next_labels == c) >= min_overlap:\n"
         "                children.setdefault(int(p), []).append(int(c))\n"
         "    return [(p, *sorted(k)) for p, k in sorted(children.items()) if len(k) == 2]\n",
         r"no division found"),
        ("the fraction of the mother", "def find_divisions(prev_labels, next_labels, min_overlap=0.5):\n"
         "    children = {}\n    for c in np.unique(next_labels[next_labels > 0]):\n"
         "        under, n = np.unique(prev_labels[next_labels == c], return_counts=True)\n"
         "        n, under = n[under > 0], under[under > 0]\n"
         "        if len(under) and n.max() / np.count_nonzero(prev_labels == under[np.argmax(n)]) >= min_overlap:\n"
         "            children.setdefault(int(under[np.argmax(n)]), []).append(int(c))\n"
         "    return [(p, *sorted(k)) for p, k in sorted(children.items()) if len(k) == 2]\n",
         r"no division found"),
        ("background as a parent", "def find_divisions(prev_labels, next_labels, min_overlap=0.5):\n"
         "    children = {}\n    for c in np.unique(next_labels[next_labels > 0]):\n"
         "        under, n = np.unique(prev_labels[next_labels == c], return_counts=True)\n"
         "        best = np.argmax(n)\n"
         "        if n[best] / n.sum() >= min_overlap:\n"
         "            children.setdefault(int(under[best]), []).append(int(c))\n"
         "    return [(p, *sorted(k)) for p, k in sorted(children.items()) if len(k) == 2]\n",
         r"label 0 is the background"),
        ("three children counted as a division", "def find_divisions(prev_labels, next_labels, min_overlap=0.5):\n"
         "    children = {}\n    for c in np.unique(next_labels[next_labels > 0]):\n"
         "        under, n = np.unique(prev_labels[next_labels == c], return_counts=True)\n"
         "        n, under = n[under > 0], under[under > 0]\n"
         "        if len(under) and n.max() / n.sum() >= min_overlap and n.max() / np.count_nonzero(next_labels == c) >= min_overlap:\n"
         "            children.setdefault(int(under[np.argmax(n)]), []).append(int(c))\n"
         "    return [(p, *sorted(k)[:2]) for p, k in sorted(children.items()) if len(k) >= 2]\n",
         r"only a parent with exactly two is a division"),
        ("min_overlap ignored", "def find_divisions(prev_labels, next_labels, min_overlap=0.5):\n"
         "    children = {}\n    for c in np.unique(next_labels[next_labels > 0]):\n"
         "        under, n = np.unique(prev_labels[next_labels == c], return_counts=True)\n"
         "        n, under = n[under > 0], under[under > 0]\n"
         "        if len(under) and n.max() / np.count_nonzero(next_labels == c) >= 0.5:\n"
         "            children.setdefault(int(under[np.argmax(n)]), []).append(int(c))\n"
         "    return [(p, *sorted(k)) for p, k in sorted(children.items()) if len(k) == 2]\n",
         r"min_overlap=0\.95 was not used"),
    ],
    ("08-timelapse", "frame_interval"): [
        ("half a width, as for the threshold 0.3", "frame_interval = 5.0\n", r"drift across the cell", GRADED),
        ("far too cautious", "frame_interval = 0.5\n", r"cost the cells light", GRADED),
        ("seconds", "frame_interval = 180\n", r"more than an hour.*seconds"),
        ("left at None", "frame_interval = None\n", r"still None"),
        ("zero", "frame_interval = 0\n", r"positive number of minutes"),
    ],
    # 09-your-own-data -----------------------------------------------------------------
    ("09-your-own-data", "to_tyx"): [
        ("ignores `channel`", (
            "def to_tyx(data, axes, channel=0):\n"
            "    for letter in 'CZ':\n        if letter in axes:\n"
            "            data = np.take(data, 0, axis=axes.index(letter))\n            axes = axes.replace(letter, '')\n"
            "    if 'T' not in axes:\n        data, axes = data[np.newaxis], 'T' + axes\n"
            "    return np.transpose(data, [axes.index(a) for a in 'TYX'])\n"),
         r"use the argument `channel`"),
        ("reshape instead of moving axes", (
            "def to_tyx(data, axes, channel=0):\n"
            "    for letter, index in (('C', channel), ('Z', 0)):\n        if letter in axes:\n"
            "            data = np.take(data, index, axis=axes.index(letter))\n            axes = axes.replace(letter, '')\n"
            "    if 'T' not in axes:\n        data, axes = data[np.newaxis], 'T' + axes\n"
            "    size = dict(zip(axes, data.shape))\n"
            "    return data.reshape(size['T'], size['Y'], size['X'])\n"),
         r"reshape keeps the values in memory order"),
        ("no T axis added to a single image", (
            "def to_tyx(data, axes, channel=0):\n"
            "    for letter, index in (('C', channel), ('Z', 0)):\n        if letter in axes:\n"
            "            data = np.take(data, index, axis=axes.index(letter))\n            axes = axes.replace(letter, '')\n"
            "    return np.transpose(data, [axes.index(a) for a in 'TYX' if a in axes])\n"),
         r"add one of length 1"),
        ("the channel always taken from the first axis", (
            "def to_tyx(data, axes, channel=0):\n"
            "    if 'C' in axes:\n        data, axes = data[channel], axes.replace('C', '')\n"
            "    if 'Z' in axes:\n        data = np.take(data, 0, axis=axes.index('Z'))\n        axes = axes.replace('Z', '')\n"
            "    if 'T' not in axes:\n        data, axes = data[np.newaxis], 'T' + axes\n"
            "    return np.transpose(data, [axes.index(a) for a in 'TYX'])\n"),
         r"shape \(3, 4, 5\)|but \(2, 4, 5\)"),
        ("Y and X order reversed", (
            "def to_tyx(data, axes, channel=0):\n"
            "    for letter, index in (('C', channel), ('Z', 0)):\n        if letter in axes:\n"
            "            data = np.take(data, index, axis=axes.index(letter))\n            axes = axes.replace(letter, '')\n"
            "    if 'T' not in axes:\n        data, axes = data[np.newaxis], 'T' + axes\n"
            "    return np.transpose(data, [axes.index(a) for a in 'TXY'])\n"),
         r"shape|Y and X are swapped"),
    ],
    ("09-your-own-data", "pixel_size_from_ome"): [
        ("the attribute's string", (
            "def pixel_size_from_ome(ome_xml):\n    import re\n"
            "    return re.search(r'PhysicalSizeX=\"([^\"]+)\"', ome_xml).group(1)\n"),
         r"return a float, not the attribute's string"),
        ("the unit ignored", (
            "def pixel_size_from_ome(ome_xml):\n    import xml.etree.ElementTree as ET\n"
            "    pixels = next(e for e in ET.fromstring(ome_xml).iter() if e.tag.endswith('Pixels'))\n"
            "    size = pixels.get('PhysicalSizeX')\n"
            "    if size is None:\n        raise ValueError('no PhysicalSizeX')\n    return float(size)\n"),
         r"the unit is nm: convert to µm"),
        ("nm multiplied by 1000", (
            "def pixel_size_from_ome(ome_xml):\n    import xml.etree.ElementTree as ET\n"
            "    pixels = next(e for e in ET.fromstring(ome_xml).iter() if e.tag.endswith('Pixels'))\n"
            "    size = pixels.get('PhysicalSizeX')\n"
            "    if size is None:\n        raise ValueError('no PhysicalSizeX')\n"
            "    return float(size) * {'nm': 1000.0}.get(pixels.get('PhysicalSizeXUnit', 'µm'), 1.0)\n"),
         r"divide by 1000, do not multiply"),
        ("PhysicalSizeY instead of X", (
            "def pixel_size_from_ome(ome_xml):\n    import xml.etree.ElementTree as ET\n"
            "    pixels = next(e for e in ET.fromstring(ome_xml).iter() if e.tag.endswith('Pixels'))\n"
            "    size = pixels.get('PhysicalSizeY')\n"
            "    if size is None:\n        raise ValueError('no PhysicalSizeY')\n"
            "    return float(size) * {'nm': 1e-3}.get(pixels.get('PhysicalSizeYUnit', 'µm'), 1.0)\n"),
         r"that is PhysicalSizeY"),
        ("no default unit", (
            "def pixel_size_from_ome(ome_xml):\n    import xml.etree.ElementTree as ET\n"
            "    pixels = next(e for e in ET.fromstring(ome_xml).iter() if e.tag.endswith('Pixels'))\n"
            "    size = pixels.get('PhysicalSizeX')\n"
            "    if size is None:\n        raise ValueError('no PhysicalSizeX')\n"
            "    return float(size) * {'µm': 1.0, 'nm': 1e-3}[pixels.get('PhysicalSizeXUnit')]\n"),
         r"When PhysicalSizeXUnit is missing the unit is µm"),
        ("1.0 when the size is missing", (
            "def pixel_size_from_ome(ome_xml):\n    import xml.etree.ElementTree as ET\n"
            "    pixels = next(e for e in ET.fromstring(ome_xml).iter() if e.tag.endswith('Pixels'))\n"
            "    size = float(pixels.get('PhysicalSizeX', 1.0))\n"
            "    return size * {'nm': 1e-3}.get(pixels.get('PhysicalSizeXUnit', 'µm'), 1.0)\n"),
         r"raise a ValueError instead"),
    ],
    ("09-your-own-data", "pixel_size_from_resolution"): [
        ("pixels per unit, not its inverse", (
            "def pixel_size_from_resolution(x_resolution, resolution_unit):\n"
            "    if resolution_unit not in (2, 3):\n        raise ValueError('no unit')\n"
            "    return x_resolution[0] / x_resolution[1]\n"),
         r"the pixel size is its inverse"),
        ("every unit read as the inch", (
            "def pixel_size_from_resolution(x_resolution, resolution_unit):\n"
            "    if resolution_unit == 1:\n        raise ValueError('no unit')\n"
            "    return 25400 * x_resolution[1] / x_resolution[0]\n"),
         r"unit 3 is the centimetre"),
        ("centimetres per pixel", (
            "def pixel_size_from_resolution(x_resolution, resolution_unit):\n"
            "    if resolution_unit == 1:\n        raise ValueError('no unit')\n"
            "    return x_resolution[1] / x_resolution[0] * {2: 2.54, 3: 1.0}[resolution_unit]\n"),
         r"that is centimetres per pixel"),
        ("the denominator ignored", (
            "def pixel_size_from_resolution(x_resolution, resolution_unit):\n"
            "    if resolution_unit == 1:\n        raise ValueError('no unit')\n"
            "    return {2: 25400.0, 3: 10000.0}[resolution_unit] / x_resolution[0]\n"),
         r"the denominator was ignored"),
        ("a length without a unit", (
            "def pixel_size_from_resolution(x_resolution, resolution_unit):\n"
            "    um = {2: 25400.0, 3: 10000.0}.get(resolution_unit, 1.0)\n"
            "    return um * x_resolution[1] / x_resolution[0]\n"),
         r"with no unit the tags give no length: raise a ValueError"),
    ],
    ("09-your-own-data", "cells_table"): [
        ("area left in pixels", (
            "def cells_table(labels, image, pixel_size_um, file, frame):\n"
            "    p = regionprops_table(labels, intensity_image=image, properties=('label', 'area', 'axis_major_length', 'intensity_mean'))\n"
            "    n = len(p['label'])\n"
            "    return {'file': [file] * n, 'frame': [frame] * n, 'label': p['label'], 'area_um2': p['area'],\n"
            "            'length_um': p['axis_major_length'] * pixel_size_um, 'mean_intensity': p['intensity_mean']}\n"),
         r"area_um2 is still in pixels"),
        ("area scaled once, not squared", (
            "def cells_table(labels, image, pixel_size_um, file, frame):\n"
            "    p = regionprops_table(labels, intensity_image=image, properties=('label', 'area', 'axis_major_length', 'intensity_mean'))\n"
            "    n = len(p['label'])\n"
            "    return {'file': [file] * n, 'frame': [frame] * n, 'label': p['label'], 'area_um2': p['area'] * pixel_size_um,\n"
            "            'length_um': p['axis_major_length'] * pixel_size_um, 'mean_intensity': p['intensity_mean']}\n"),
         r"square of the pixel size"),
        ("length left in pixels", (
            "def cells_table(labels, image, pixel_size_um, file, frame):\n"
            "    p = regionprops_table(labels, intensity_image=image, properties=('label', 'area', 'axis_major_length', 'intensity_mean'))\n"
            "    n = len(p['label'])\n"
            "    return {'file': [file] * n, 'frame': [frame] * n, 'label': p['label'], 'area_um2': p['area'] * pixel_size_um ** 2,\n"
            "            'length_um': p['axis_major_length'], 'mean_intensity': p['intensity_mean']}\n"),
         r"length_um is still in pixels"),
        ("a DataFrame returned", (
            "def cells_table(labels, image, pixel_size_um, file, frame):\n"
            "    p = pd.DataFrame(regionprops_table(labels, intensity_image=image, properties=('label', 'area', 'axis_major_length', 'intensity_mean')))\n"
            "    return pd.DataFrame({'file': file, 'frame': frame, 'label': p['label'], 'area_um2': p['area'] * pixel_size_um ** 2,\n"
            "                         'length_um': p['axis_major_length'] * pixel_size_um, 'mean_intensity': p['intensity_mean']})\n"),
         r"is a DataFrame; return the dict of columns"),
        ("one file name for the whole column", (
            "def cells_table(labels, image, pixel_size_um, file, frame):\n"
            "    p = regionprops_table(labels, intensity_image=image, properties=('label', 'area', 'axis_major_length', 'intensity_mean'))\n"
            "    return {'file': file, 'frame': frame, 'label': p['label'], 'area_um2': p['area'] * pixel_size_um ** 2,\n"
            "            'length_um': p['axis_major_length'] * pixel_size_um, 'mean_intensity': p['intensity_mean']}\n"),
         r"is a single value"),
    ],
    ("09-your-own-data", "wrong_metadata_panel"): [
        ("the panel with the smallest cells", 'wrong_metadata_panel = "D"\n', r"its pixels are larger", GRADED),
        ("a plausible panel", 'wrong_metadata_panel = "A"\n', r"its pixel size is plausible", GRADED),
        ("a panel number", "wrong_metadata_panel = 3\n", r"should be a str"),
        ("not a panel", 'wrong_metadata_panel = "the third"\n', r"give one of the letters"),
        ("left at None", "wrong_metadata_panel = None\n", r"still None"),
    ],
    ("09-your-own-data", "hand_in"): [
        ("the broken file skipped in silence", HAND_IN.format(
            failed="pass", name="path.name", size="size", frames="enumerate(stack)", reader=""),
         r"does not list A_colony_3\.tif"),
        ("full paths in the table", HAND_IN.format(
            failed="failed.append(path.name)", name="str(path)", size="size", frames="enumerate(stack)", reader=""),
         r"holds paths"),
        ("lengths in pixels", HAND_IN.format(
            failed="failed.append(path.name)", name="path.name", size="1.0", frames="enumerate(stack)", reader=""),
         r"still in pixels"),
        ("only the first frame of each file", HAND_IN.format(
            failed="failed.append(path.name)", name="path.name", size="size", frames="enumerate(stack[:1])", reader=""),
         r"measure every frame"),
        ("the resolution tags always read as per inch", HAND_IN.format(
            failed="failed.append(path.name)", name="path.name", size="size", frames="enumerate(stack)",
            reader="size = size * 2.54 if source == 'TIFF resolution tags' else size"),
         r"not a plausible area in µm²"),
        ("the table handed in as a DataFrame", 'hand_in = {"table": pd.DataFrame({"file": ["B_field_1.tif"]}), "failed": []}\n',
         r"is a DataFrame"),
    ],
}
