"""The course's memory of student mistakes: typical wrong answers to every graded exercise.

Each entry is ``(label, answer code, pattern)``: a wrong answer students
really write, and a regular expression that the message of the exercise's
*visible* test must match, so the student learns what went wrong before the
hidden tests are run. ``test_typical_mistakes.py`` checks every entry, and
that every model answer passes. Add the mistakes you meet when you teach,
and a mistake list for every exercise of a new chapter.
"""

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
    ("02-dtypes-and-channels", "hwc_to_chw"): [
        ("reshape", "def hwc_to_chw(image):\n    h, w, c = image.shape\n    return image.reshape(c, h, w)\n",
         r"reshape keeps the numbers in memory order"),
        (".T", "def hwc_to_chw(image):\n    return image.T\n", r"\.T reverses all axes"),
        ("wrong direction", "def hwc_to_chw(image):\n    return np.moveaxis(image, 0, -1)\n",
         r"That is the shape of np\.transpose\(image, \(1, 2, 0\)\)"),
    ],
    ("02-dtypes-and-channels", "chw_to_hwc"): [
        ("reshape", "def chw_to_hwc(image):\n    c, h, w = image.shape\n    return image.reshape(h, w, c)\n",
         r"reshape keeps the numbers in memory order"),
        ("wrong direction", "def chw_to_hwc(image):\n    return np.moveaxis(image, -1, 0)\n",
         r"That is the shape of np\.transpose\(image, \(2, 0, 1\)\)"),
        (".T", "def chw_to_hwc(image):\n    return image.T\n", r"\.T reverses all axes"),
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
    ],
    ("02-dtypes-and-channels", "saturating_add"): [
        ("wraps around", "def saturating_add(a, b):\n    return a + b\n", r"not 44 = 300 - 256"),
        ("clips after wrapping", "def saturating_add(a, b):\n    return np.clip(a + b, 0, 255)\n",
         r"not 44 = 300 - 256"),
        ("wider result", "def saturating_add(a, b):\n    return np.clip(a.astype(np.uint16) + b, 0, 255)\n",
         r"dtype uint16, but uint8 was expected"),
        ("in place", "def saturating_add(a, b):\n    a += np.minimum(b, 255 - a)\n    return a\n",
         r"changed its input array"),
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
         "    return labels.astype(bool)\n", r"changed its input array"),
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
         "    return binary\n", r"changed its input array"),
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
}
