"""Correct answers in the styles students write them: loops, NumPy, SciPy, scikit-image, odd but right.

The tests must give each of these full marks (``test_correct_answers.py``):
a test that only accepts the model answer's style is unfair. Add the correct
answers you meet when you teach, and a few for every exercise of a new chapter.
"""

ANSWERS = {
    ("00-setup", "number_of_pixels"): [
        ("shape of an array", "def number_of_pixels(height, width):\n    return np.zeros((height, width)).size\n"),
        ("loop", "def number_of_pixels(height, width):\n    total = 0\n    for _ in range(height):\n"
                 "        total += width\n    return total\n"),
    ],
    ("01-image-arrays", "make_image"): [
        ("fancy indexing", "def make_image(height, width, on):\n    image = np.zeros((height, width), dtype=int)\n"
                           "    if on:\n        rows, cols = zip(*on)\n        image[list(rows), list(cols)] = 1\n"
                           "    return image\n"),
        ("list of lists", "def make_image(height, width, on):\n"
                          "    return np.array([[1 if (r, c) in on else 0 for c in range(width)] for r in range(height)],\n"
                          "                    dtype=np.int64)\n"),
        ("np.int64 name", "def make_image(height, width, on):\n    image = np.zeros(shape=(height, width), dtype='int64')\n"
                          "    for pixel in set(on):\n        image[pixel] = 1\n    return image\n"),
    ],
    ("01-image-arrays", "ring_pixel"): [
        ("the rim of the ring", "ring_pixel = (216, 30)\n"),
        ("NumPy integers from a click", "ring_pixel = (np.int64(226), np.int64(33))\n"),
    ],
    ("01-image-arrays", "display_range"): [
        ("integers around the counts", "display_range = (90, 200)\n"),
        ("floats from percentiles of the dim cell", "display_range = (95.0, 180.0)\n"),
    ],
    ("01-image-arrays", "crop"): [
        ("ellipsis", "def crop(image, top, left, height, width):\n"
                     "    return image[top:top + height, left:left + width, ...]\n"),
        ("a copy", "def crop(image, top, left, height, width):\n"
                   "    return image[top:top + height][:, left:left + width].copy()\n"),
        ("np.take", "def crop(image, top, left, height, width):\n"
                    "    rows = np.take(image, range(top, top + height), axis=0)\n"
                    "    return np.take(rows, range(left, left + width), axis=1)\n"),
    ],
    ("01-image-arrays", "flip_upside_down"): [
        ("np.flipud", "def flip_upside_down(image):\n    return np.flipud(image)\n"),
        ("np.flip axis 0", "def flip_upside_down(image):\n    return np.flip(image, axis=0)\n"),
        ("rows in a loop", "def flip_upside_down(image):\n"
                           "    return np.array([image[r] for r in range(len(image) - 1, -1, -1)])\n"),
    ],
    ("01-image-arrays", "brightest_pixel"): [
        ("loops", "def brightest_pixel(image):\n    best, where = None, None\n"
                  "    for r in range(image.shape[0]):\n        for c in range(image.shape[1]):\n"
                  "            if best is None or image[r, c] > best:\n                best, where = image[r, c], (r, c)\n"
                  "    return where\n"),
        ("argwhere", "def brightest_pixel(image):\n    row, col = np.argwhere(image == image.max())[0]\n"
                     "    return int(row), int(col)\n"),
        ("divmod", "def brightest_pixel(image):\n    return divmod(int(image.argmax()), image.shape[1])\n"),
    ],
    ("01-image-arrays", "fraction_above"): [
        ("count over size", "def fraction_above(image, threshold):\n"
                            "    return np.count_nonzero(image > threshold) / image.size\n"),
        ("NumPy float", "def fraction_above(image, threshold):\n    return (image > threshold).mean()\n"),
    ],
    ("02-dtypes-and-channels", "add_channel_axis"): [
        ("expand_dims", "def add_channel_axis(image):\n    return np.expand_dims(image, axis=-1)\n"),
        ("reshape", "def add_channel_axis(image):\n    return image.reshape(image.shape + (1,))\n"),
        ("np.newaxis", "def add_channel_axis(image):\n    return image[:, :, np.newaxis]\n"),
    ],
    ("02-dtypes-and-channels", "channel_order"): [
        ("transpose", "def hwc_to_chw(image):\n    return image.transpose(2, 0, 1)\n\n"
                      "def chw_to_hwc(image):\n    return np.transpose(image, (1, 2, 0))\n"),
        ("stacks of channels", "def hwc_to_chw(image):\n"
                               "    return np.stack([image[..., c] for c in range(image.shape[2])])\n\n"
                               "def chw_to_hwc(image):\n    return np.stack(list(image), axis=-1)\n"),
        ("one through the other", "def chw_to_hwc(image):\n    return np.moveaxis(image, 0, 2)\n\n"
                                  "def hwc_to_chw(image):\n    return np.ascontiguousarray(np.moveaxis(image, 2, 0))\n"),
    ],
    ("02-dtypes-and-channels", "diagnosis"): [
        ("built step by step", "diagnosis = {}\ndiagnosis['D'] = 'reshape'\ndiagnosis['C'] = 'dtype_maximum'\n"
                               "diagnosis['B'] = 'channels_reversed'\ndiagnosis['A'] = 'astype_uint8'\n"),
    ],
    ("02-dtypes-and-channels", "rgb_to_gray"): [
        ("scikit-image", "from skimage.color import rgb2gray\ndef rgb_to_gray(image):\n    return rgb2gray(image)\n"),
        ("channel by channel", "def rgb_to_gray(image):\n    image = image.astype(np.float64) / 255\n"
                               "    return 0.2125 * image[..., 0] + 0.7154 * image[..., 1] + 0.0721 * image[..., 2]\n"),
        ("einsum", "def rgb_to_gray(image):\n"
                   "    return np.einsum('hwc,c->hw', image / 255.0, np.array([0.2125, 0.7154, 0.0721]))\n"),
    ],
    ("02-dtypes-and-channels", "saturating_add"): [
        ("np.minimum in a wide type", "def saturating_add(a, b):\n"
                                      "    return np.minimum(a.astype(np.int64) + b, 255).astype(np.uint8)\n"),
        ("headroom", "def saturating_add(a, b):\n    return a + np.minimum(b, 255 - a)\n"),
        ("np.where", "def saturating_add(a, b):\n    total = a.astype(int) + b.astype(int)\n"
                     "    return np.where(total > 255, 255, total).astype('uint8')\n"),
    ],
    ("02-dtypes-and-channels", "normalize_minmax"): [
        ("ptp", "def normalize_minmax(image):\n    image = np.asarray(image, dtype=float)\n"
                "    span = np.ptp(image)\n    if span == 0:\n        return np.zeros_like(image)\n"
                "    return (image - image.min()) / span\n"),
        ("scikit-image rescale", "from skimage.exposure import rescale_intensity\ndef normalize_minmax(image):\n"
                                 "    image = image.astype(np.float64)\n    if image.max() == image.min():\n"
                                 "        return np.zeros(image.shape)\n"
                                 "    return rescale_intensity(image, out_range=(0.0, 1.0))\n"),
    ],
    ("02-dtypes-and-channels", "normalize_percentile"): [
        ("np.interp style", "def normalize_percentile(image, low=1.0, high=99.0):\n"
                            "    lo, hi = np.percentile(image, low), np.percentile(image, high)\n"
                            "    if lo == hi:\n        return np.zeros(np.shape(image))\n"
                            "    out = (np.asarray(image, dtype=float) - lo) / (hi - lo)\n"
                            "    out[out < 0] = 0\n    out[out > 1] = 1\n    return out\n"),
        ("quantile", "def normalize_percentile(image, low=1.0, high=99.0):\n"
                     "    lo, hi = np.quantile(image.astype(float), [low / 100, high / 100])\n"
                     "    if hi == lo:\n        return np.zeros(image.shape, dtype=float)\n"
                     "    return np.clip((image - lo) / (hi - lo), 0.0, 1.0)\n"),
    ],
    ("03-masks-and-disks", "instance_to_binary"): [
        ("neighbours by shifted slices", "def instance_to_binary(labels, *, separate=False):\n"
         "    binary = labels > 0\n    if not separate:\n        return binary\n"
         "    out = binary.copy()\n    h, w = labels.shape\n"
         "    for dr, dc in [(0, 1), (1, 0), (0, -1), (-1, 0)]:\n"
         "        for r in range(h):\n            for c in range(w):\n"
         "                rr, cc = r + dr, c + dc\n"
         "                if 0 <= rr < h and 0 <= cc < w and labels[r, c] and labels[rr, cc] and labels[rr, cc] != labels[r, c]:\n"
         "                    out[r, c] = False\n    return out\n"),
        ("a grey-level trick", "def instance_to_binary(labels, *, separate=False):\n    binary = labels.astype(bool)\n"
         "    if separate:\n        cross = ndi.generate_binary_structure(2, 1)\n"
         "        big = np.where(binary, labels, labels.max() + 1)\n"
         "        high = ndi.maximum_filter(labels, footprint=cross, mode='constant', cval=0)\n"
         "        low = ndi.minimum_filter(big, footprint=cross, mode='constant', cval=labels.max() + 1)\n"
         "        binary &= (high == labels) & (low == labels)\n    return binary\n"),
    ],
    ("03-masks-and-disks", "choose_connectivity"): [
        ("dict()", "def choose_connectivity():\n    return dict(D='either', C='neither', B='8', A='4')\n"),
    ],
    ("03-masks-and-disks", "count_objects"): [
        ("a set", "def count_objects(labels):\n    return len(set(labels.ravel().tolist()) - {0})\n"),
        ("np.unique of the foreground", "def count_objects(labels):\n    return len(np.unique(labels[labels != 0]))\n"),
    ],
    ("03-masks-and-disks", "relabel_consecutive"): [
        ("scikit-image", "from skimage.segmentation import relabel_sequential\n"
                         "def relabel_consecutive(labels):\n    return relabel_sequential(labels)[0]\n"),
        ("a lookup table", "def relabel_consecutive(labels):\n    ids = np.unique(labels[labels != 0])\n"
                           "    table = np.zeros(labels.max() + 1, dtype=np.int64)\n"
                           "    table[ids] = np.arange(1, len(ids) + 1)\n    return table[labels]\n"),
        ("a dictionary", "def relabel_consecutive(labels):\n    new = {0: 0}\n"
                         "    for i, value in enumerate(sorted(set(labels.ravel().tolist()) - {0}), start=1):\n"
                         "        new[value] = i\n"
                         "    return np.vectorize(new.get)(labels)\n"),
    ],
    ("03-masks-and-disks", "draw_disks"): [
        ("a grid of distances", "def draw_disks(height, width, disks):\n    rows, cols = np.indices((height, width))\n"
                                "    image = np.zeros((height, width), dtype=np.int64)\n"
                                "    for i, (row, col, radius) in enumerate(disks, start=1):\n"
                                "        image[np.hypot(rows - row, cols - col) < radius] = i\n    return image\n"),
        ("skimage.draw with shape", "from skimage.draw import disk as filled\n"
                                    "def draw_disks(height, width, disks):\n"
                                    "    image = np.zeros((height, width), dtype=np.int64)\n"
                                    "    for label, (row, col, radius) in enumerate(disks, start=1):\n"
                                    "        image[filled((row, col), radius, shape=(height, width))] = label\n"
                                    "    return image\n"),
        ("the course's Canvas", "def draw_disks(height, width, disks):\n    canvas = sh.Canvas(height, width)\n"
                                "    for label, (row, col, radius) in enumerate(disks, start=1):\n"
                                "        canvas.disk(row, col, radius, value=label)\n    return canvas.image\n"),
    ],
    ("03-masks-and-disks", "count_components"): [
        ("scikit-image", "from skimage.measure import label\ndef count_components(binary):\n"
                         "    return int(label(binary > 0, connectivity=1).max())\n"),
        ("ndi.label's count", "def count_components(binary):\n    labels, n = ndi.label(binary)\n    return n\n"),
    ],
    ("04-watershed", "distance_to_background"): [
        ("boolean input, profile by interpolation", "def distance_to_background(binary):\n"
         "    return ndi.distance_transform_edt(np.asarray(binary, dtype=bool))\n\n"
         "def line_profile(image, start, end):\n    rows, cols = line(*start, *end)\n"
         "    return np.array([image[r, c] for r, c in zip(rows, cols)])\n"),
        ("float32 and map_coordinates", "def distance_to_background(binary):\n"
         "    return ndi.distance_transform_edt(binary).astype(np.float32)\n\n"
         "def line_profile(image, start, end):\n    rr, cc = line(start[0], start[1], end[0], end[1])\n"
         "    return ndi.map_coordinates(image, [rr, cc], order=0)\n"),
    ],
    ("04-watershed", "choose_min_distance"): [
        ("a small window", "def choose_min_distance():\n    return 4\n"),
        ("a NumPy integer", "def choose_min_distance():\n    return np.int64(6)\n"),
    ],
    ("04-watershed", "name_the_slips"): [
        ("built up", "def name_the_slips():\n    answer = {}\n    answer['D'] = 'flipped sign'\n"
                     "    answer['C'] = 'missing mask'\n    answer['B'] = 'min_distance too large'\n"
                     "    answer['A'] = 'marker on the rim'\n    return answer\n"),
    ],
    ("04-watershed", "markers_from_peaks"): [
        ("vectorized", "def markers_from_peaks(coords, shape):\n    markers = np.zeros(shape, dtype=int)\n"
                       "    coords = np.asarray(coords, dtype=int).reshape(-1, 2)\n"
                       "    markers[coords[:, 0], coords[:, 1]] = np.arange(1, len(coords) + 1)\n    return markers\n"),
        ("int32 and reversed order", "def markers_from_peaks(coords, shape):\n"
                                     "    markers = np.zeros(shape, dtype=np.int32)\n"
                                     "    for i, (r, c) in enumerate(reversed(list(coords))):\n"
                                     "        markers[r, c] = i + 1\n    return markers\n"),
    ],
    ("04-watershed", "find_watershed"): [
        ("one function", "def find_watershed(binary, min_distance=10):\n"
                         "    distance = ndi.distance_transform_edt(binary)\n"
                         "    peaks = peak_local_max(distance, min_distance=min_distance, labels=binary)\n"
                         "    markers = np.zeros(binary.shape, dtype=int)\n"
                         "    for i, (r, c) in enumerate(peaks, start=1):\n        markers[r, c] = i\n"
                         "    labels = watershed(-distance, markers, mask=binary)\n"
                         "    return labels, int(len(np.unique(labels)) - (labels == 0).any())\n"),
        ("keywords and np.int64 labels", "def find_watershed(binary, min_distance=10):\n"
                                         "    distance = distance_to_background(binary)\n"
                                         "    coords = peak_local_max(distance, min_distance=min_distance, labels=binary)\n"
                                         "    labels = watershed(image=-distance, markers=markers_from_peaks(coords, "
                                         "binary.shape), mask=binary > 0).astype(np.int64)\n"
                                         "    n = len(set(labels.ravel().tolist()) - {0})\n    return (labels, n)\n"),
    ],
    ("04-watershed", "markers_from_plateaus"): [
        ("scikit-image label", "from skimage.measure import label\n"
                               "def markers_from_plateaus(distance, binary):\n"
                               "    return label(local_maxima(distance) & (binary != 0), connectivity=2)\n"),
        ("indices from local_maxima", "def markers_from_plateaus(distance, binary):\n"
                                      "    maxima = local_maxima(distance, connectivity=2) & binary.astype(bool)\n"
                                      "    return ndi.label(maxima, structure=np.ones((3, 3), dtype=int))[0]\n"),
    ],
    ("05-noise", "true_noise_probability"): [
        ("(c - 1) / c", "def true_noise_probability(c):\n    return (c - 1) / c\n"),
        ("a float of the complement", "def true_noise_probability(c):\n    return float(1.0 - 1.0 / c)\n"),
    ],
    ("05-noise", "add_salt_noise"): [
        ("np.where", "def add_salt_noise(binary, p, rng):\n"
                     "    return np.where(rng.random(binary.shape) < p, 1, binary).astype(binary.dtype)\n"),
        ("logical or, cast back", "def add_salt_noise(binary, p, rng):\n    hits = rng.random(size=binary.shape) < p\n"
                                  "    return (binary.astype(bool) | hits).astype(binary.dtype)\n"),
    ],
    ("05-noise", "remove_speckles"): [
        ("erosion then dilation", "def remove_speckles(binary, iterations):\n"
                                  "    eroded = ndi.binary_erosion(binary, iterations=iterations)\n"
                                  "    return ndi.binary_dilation(eroded, iterations=iterations)\n"),
        ("one step at a time", "def remove_speckles(binary, iterations):\n    mask = binary.astype(bool)\n"
                               "    for _ in range(iterations):\n        mask = ndi.binary_erosion(mask)\n"
                               "    for _ in range(iterations):\n        mask = ndi.binary_dilation(mask)\n"
                               "    return mask\n"),
        ("explicit cross", "def remove_speckles(binary, iterations):\n"
                           "    cross = ndi.generate_binary_structure(2, 1)\n"
                           "    return ndi.binary_opening(binary, structure=cross, iterations=iterations)\n"),
    ],
    ("05-noise", "erosions_to_remove"): [
        ("a loop", "def erosions_to_remove(binary):\n    mask = binary > 0\n    count = 0\n"
                   "    while mask.any():\n        mask = ndi.binary_erosion(mask)\n        count += 1\n    return count\n"),
        ("taxicab distance", "def erosions_to_remove(binary):\n"
                             "    padded = np.pad(np.asarray(binary) > 0, 1)\n"
                             "    return int(ndi.distance_transform_cdt(padded, metric='taxicab').max())\n"),
    ],
    ("05-noise", "choose_iterations"): [
        ("one more", "def choose_iterations():\n    return 4\n"),
    ],
    ("05-noise", "remove_small_specks"): [
        ("scikit-image max_size", "def remove_small_specks(binary, max_size):\n"
                                  "    return remove_small_objects(binary.astype(bool), max_size=max_size, connectivity=1)\n"),
        ("sizes by label", "def remove_small_specks(binary, max_size):\n    labels, n = ndi.label(binary)\n"
                           "    keep = np.zeros(binary.shape, dtype=bool)\n    for i in range(1, n + 1):\n"
                           "        if (labels == i).sum() > max_size:\n            keep |= labels == i\n    return keep\n"),
    ],
    ("06-ecoli", "rescaled_level"): [
        ("np.interp", "def rescaled_level(image, level=180):\n"
                      "    return float(np.interp(level, [0, 255], [image.min(), image.max()]))\n"),
        ("a NumPy float", "def rescaled_level(image, level=180):\n    span = image.max() - image.min()\n"
                          "    return image.min() + span * (level / 255.0)\n"),
    ],
    ("06-ecoli", "otsu_dark_mask"): [
        ("strictly below", "def otsu_dark_mask(image):\n    return image < threshold_otsu(image)\n"),
        ("not above", "from skimage import filters\ndef otsu_dark_mask(image):\n"
                      "    return ~(image > filters.threshold_otsu(image))\n"),
    ],
    ("06-ecoli", "sizes_in_pixels"): [
        ("a loop over rules", "def sizes_in_pixels(pixel_size_um, cell_width_um=1.0):\n"
                              "    w = cell_width_um / pixel_size_um\n"
                              "    rules = {'background_radius': (2 * w, 1), 'opening_radius': (0.2 * w, 1),\n"
                              "             'min_area': (0.75 * w * w, 0)}\n"
                              "    sizes = {key: int(max(low, round(value))) for key, (value, low) in rules.items()}\n"
                              "    return {'smoothing': round(0.075 * w, 2), **sizes}\n"),
    ],
    ("06-ecoli", "clean_mask"): [
        ("scipy opening, scikit-image sizes", "from skimage.morphology import remove_small_objects\n"
                                              "def clean_mask(mask, opening_radius, min_area):\n"
                                              "    opened = ndi.binary_opening(mask, structure=disk(opening_radius))\n"
                                              "    return remove_small_objects(opened, max_size=min_area - 1, connectivity=1)\n"),
        ("regionprops", "from skimage.measure import label, regionprops\n"
                        "def clean_mask(mask, opening_radius, min_area):\n"
                        "    labels = label(opening(mask > 0, disk(opening_radius)), connectivity=1)\n"
                        "    keep = np.zeros(labels.shape, dtype=bool)\n"
                        "    for region in regionprops(labels):\n"
                        "        if region.area >= min_area:\n            keep[labels == region.label] = True\n"
                        "    return keep\n"),
    ],
    ("06-ecoli", "segment_rods"): [
        ("helpers for the markers", "from skimage.morphology import remove_small_objects\n"
                              "def segment_rods(image, pixel_size_um, cell_width_um=1.0, depth=0.1):\n"
                              "    s = sizes_in_pixels(pixel_size_um, cell_width_um=cell_width_um)\n"
                              "    flat = sh.flatten_background(image, s['background_radius'], smoothing=s['smoothing'])\n"
                              "    cleaned = clean_mask(flat <= threshold_otsu(flat), s['opening_radius'], s['min_area'])\n"
                              "    labels = watershed(flat, sh.basin_markers(flat, cleaned, depth), mask=cleaned)\n"
                              "    return remove_small_objects(labels, max_size=s['min_area'] - 1)\n"),
    ],
    ("06-ecoli", "measure_cells"): [
        ("a loop over regions", "from skimage.measure import regionprops\n"
                                "def measure_cells(labels, pixel_size_um):\n    regions = regionprops(labels)\n"
                                "    return {'label': np.array([r.label for r in regions]),\n"
                                "            'area_um2': np.array([r.area * pixel_size_um ** 2 for r in regions], dtype=float),\n"
                                "            'length_um': np.array([r.axis_major_length * pixel_size_um for r in regions],\n"
                                "                                  dtype=float)}\n"),
    ],
    ("06-ecoli", "new_field_settings"): [
        ("a measured pixel size", "def new_field_settings():\n"
                                  "    return {'pixel_size_um': 0.064, 'cell_width_um': 1.0}\n"),
        ("a close guess", "def new_field_settings():\n"
                          "    return dict(pixel_size_um=0.06, cell_width_um=1.0)\n"),
    ],
    ("07-iou", "iou"): [
        ("sums of booleans", "def iou(mask_a, mask_b):\n    a, b = np.asarray(mask_a) > 0, np.asarray(mask_b) > 0\n"
                             "    union = (a | b).sum()\n    return 1.0 if union == 0 else float((a & b).sum() / union)\n"),
        ("sets of pixels", "def iou(mask_a, mask_b):\n    a = set(zip(*np.nonzero(mask_a)))\n    b = set(zip(*np.nonzero(mask_b)))\n"
                           "    return len(a & b) / len(a | b) if a | b else 1.0\n"),
    ],
    ("07-iou", "iou_matrix"): [
        ("a histogram of pairs", "def iou_matrix(true_labels, pred_labels):\n"
         "    t_ids = [v for v in np.unique(true_labels) if v != 0]\n    p_ids = [v for v in np.unique(pred_labels) if v != 0]\n"
         "    t_index = np.searchsorted(np.unique(true_labels), true_labels)\n"
         "    p_index = np.searchsorted(np.unique(pred_labels), pred_labels)\n"
         "    t_all, p_all = np.unique(true_labels), np.unique(pred_labels)\n"
         "    counts = np.zeros((len(t_all), len(p_all)))\n    np.add.at(counts, (t_index.ravel(), p_index.ravel()), 1)\n"
         "    t_keep, p_keep = t_all != 0, p_all != 0\n"
         "    inter = counts[np.ix_(t_keep, p_keep)]\n"
         "    areas_t = counts.sum(axis=1)[t_keep][:, None]\n    areas_p = counts.sum(axis=0)[p_keep][None, :]\n"
         "    return inter / (areas_t + areas_p - inter)\n"),
        ("iou of each pair from the first exercise", "def iou_matrix(true_labels, pred_labels):\n"
         "    rows = sorted(set(np.ravel(true_labels).tolist()) - {0})\n    cols = sorted(set(np.ravel(pred_labels).tolist()) - {0})\n"
         "    return np.array([[iou(true_labels == r, pred_labels == c) for c in cols] for r in rows],\n"
         "                    dtype=float).reshape(len(rows), len(cols))\n"),
    ],
    ("07-iou", "match_instances"): [
        ("assignment on the thresholded matrix", "def match_instances(true_labels, pred_labels, threshold=0.5):\n"
         "    rows = [v for v in np.unique(true_labels) if v]\n    cols = [v for v in np.unique(pred_labels) if v]\n"
         "    m = iou_matrix(true_labels, pred_labels)\n    if m.size == 0:\n        return []\n"
         "    r, c = linear_sum_assignment(-((m >= threshold) * 1000.0 + m))\n"
         "    return sorted((int(rows[i]), int(cols[j])) for i, j in zip(r, c) if m[i, j] >= threshold)\n"),
    ],
    ("07-iou", "f1_at"): [
        ("counts from precision and recall", "def f1_at(true_labels, pred_labels, threshold=0.5):\n"
         "    n_true = len(set(np.ravel(true_labels).tolist()) - {0})\n    n_pred = len(set(np.ravel(pred_labels).tolist()) - {0})\n"
         "    tp = len(match_instances(true_labels, pred_labels, threshold))\n"
         "    fp, fn = n_pred - tp, n_true - tp\n    return 1.0 if n_true == n_pred == 0 else 2 * tp / (2 * tp + fp + fn)\n"),
    ],
    ("07-iou", "precision_recall"): [
        ("guarded divisions", "def precision_recall(true_labels, pred_labels, threshold=0.5):\n"
         "    n_true = np.unique(true_labels[true_labels != 0]).size\n    n_pred = np.unique(pred_labels[pred_labels != 0]).size\n"
         "    if n_true == 0 and n_pred == 0:\n        return 1.0, 1.0\n"
         "    tp = len(match_instances(true_labels, pred_labels, threshold))\n"
         "    return (tp / n_pred if n_pred > 0 else 0.0, tp / n_true if n_true > 0 else 0.0)\n"),
    ],
    ("07-iou", "fair_threshold"): [
        ("just above the outlines 3 px wider", "fair_threshold = 0.74\n"),
        ("the largest the 1.5 px wider outlines allow, to two decimals", "fair_threshold = 0.78\n"),
        ("an int-free fraction", "fair_threshold = 3 / 4\n"),
    ],
    ("08-timelapse", "count_per_frame"): [
        ("a set per frame", "def count_per_frame(label_stack):\n"
                            "    return np.array([len(set(np.ravel(f).tolist()) - {0}) for f in label_stack], dtype=int)\n"),
        ("bincount", "def count_per_frame(label_stack):\n    out = np.zeros(len(label_stack), dtype=np.int64)\n"
                     "    for t, frame in enumerate(label_stack):\n"
                     "        out[t] = np.count_nonzero(np.bincount(frame.ravel().astype(np.int64))[1:])\n    return out\n"),
    ],
    ("08-timelapse", "fit_doubling_time"): [
        ("np.polyfit with cov", "def fit_doubling_time(times, counts):\n"
                                "    (r, a), cov = np.polyfit(np.asarray(times, float), np.log(counts), 1, cov='unscaled')\n"
                                "    y = np.log(counts); x = np.asarray(times, float)\n"
                                "    s2 = ((y - (a + r * x)) ** 2).sum() / (len(x) - 2)\n"
                                "    sr = np.sqrt(s2 * cov[0, 0])\n"
                                "    return float(np.log(2) / r), float(np.log(2) * sr / r ** 2)\n"),
        ("formulas by hand", "def fit_doubling_time(times, counts):\n    x = np.asarray(times, float); y = np.log(np.asarray(counts, float))\n"
                             "    xm, ym = x.mean(), y.mean()\n    r = ((x - xm) * (y - ym)).sum() / ((x - xm) ** 2).sum()\n"
                             "    res = y - (ym + r * (x - xm))\n"
                             "    sr = np.sqrt((res ** 2).sum() / (len(x) - 2) / ((x - xm) ** 2).sum())\n"
                             "    return float(np.log(2) / r), float(np.log(2) / r ** 2 * sr)\n"),
    ],
    ("08-timelapse", "link_frames"): [
        ("Hungarian matching on the IoU matrix", "def link_frames(prev_labels, next_labels, threshold=0.5):\n"
         "    from scipy.optimize import linear_sum_assignment\n"
         "    a_ids = [int(v) for v in np.unique(prev_labels) if v]\n    b_ids = [int(v) for v in np.unique(next_labels) if v]\n"
         "    if not a_ids or not b_ids:\n        return []\n"
         "    m = np.array([[sh.iou(prev_labels == a, next_labels == b) for b in b_ids] for a in a_ids])\n"
         "    rows, cols = linear_sum_assignment(-(m >= threshold).astype(float) - 1e-3 * m)\n"
         "    return sorted((a_ids[i], b_ids[j]) for i, j in zip(rows, cols) if m[i, j] >= threshold)\n"),
        ("chapter 07's f1 helpers", "def link_frames(prev_labels, next_labels, threshold=0.5):\n"
         "    return [tuple(map(int, pair)) for pair in sorted(sh.match_instances(prev_labels, next_labels, threshold=threshold))]\n"),
    ],
    ("08-timelapse", "find_divisions"): [
        ("ndimage sums", "def find_divisions(prev_labels, next_labels, min_overlap=0.5):\n"
         "    from collections import defaultdict\n    kids = defaultdict(list)\n"
         "    for c in np.unique(next_labels):\n        if c == 0:\n            continue\n"
         "        under = prev_labels[next_labels == c]\n        values = np.bincount(under.astype(np.int64))\n"
         "        values[0] = 0\n        p = int(values.argmax())\n"
         "        if p and values[p] >= min_overlap * under.size:\n            kids[p].append(int(c))\n"
         "    return sorted((p, min(k), max(k)) for p, k in kids.items() if len(k) == 2)\n"),
        ("a pandas group-by", "def find_divisions(prev_labels, next_labels, min_overlap=0.5):\n"
         "    df = pd.DataFrame({'p': prev_labels.ravel(), 'c': next_labels.ravel()})\n    df = df[df.c > 0]\n"
         "    size = df.groupby('c').size()\n    over = df[df.p > 0].groupby(['c', 'p']).size().reset_index(name='n')\n"
         "    over = over.sort_values(['c', 'n', 'p'], ascending=[True, False, True]).drop_duplicates('c')\n"
         "    over = over[over.n.values >= min_overlap * size[over.c].values]\n"
         "    out = []\n    for p, group in over.groupby('p'):\n"
         "        if len(group) == 2:\n            a, b = sorted(int(v) for v in group.c)\n            out.append((int(p), a, b))\n"
         "    return sorted(out)\n"),
    ],
    ("08-timelapse", "frame_interval"): [
        ("a round number below the limit", "frame_interval = 2.5\n"),
        ("an integer a little below", "frame_interval = 2\n"),
    ],
    ("09-your-own-data", "to_tyx"): [
        ("np.moveaxis after indexing", (
            "def to_tyx(data, axes, channel=0):\n    axes = list(axes)\n"
            "    if 'C' in axes:\n        data = data.take(channel, axis=axes.index('C')); axes.remove('C')\n"
            "    if 'Z' in axes:\n        data = data.take(0, axis=axes.index('Z')); axes.remove('Z')\n"
            "    if 'T' not in axes:\n        data = np.expand_dims(data, 0); axes.insert(0, 'T')\n"
            "    return np.moveaxis(data, [axes.index('T'), axes.index('Y'), axes.index('X')], [0, 1, 2])\n")),
        ("np.einsum with letters", (
            "def to_tyx(data, axes, channel=0):\n"
            "    index = tuple(channel if a == 'C' else 0 if a == 'Z' else slice(None) for a in axes)\n"
            "    kept = ''.join(a for a in axes if a not in 'CZ')\n    data = data[index]\n"
            "    if 'T' not in kept:\n        data, kept = data[None], 'T' + kept\n"
            "    return np.einsum(kept.lower() + '->tyx', data).copy()\n")),
    ],
    ("09-your-own-data", "pixel_size_from_ome"): [
        ("tifffile's xml2dict", (
            "def pixel_size_from_ome(ome_xml):\n"
            "    ome = tifffile.xml2dict(ome_xml)['OME']\n    image = ome['Image']\n"
            "    pixels = (image[0] if isinstance(image, list) else image)['Pixels']\n"
            "    if 'PhysicalSizeX' not in pixels:\n        raise ValueError('no pixel size in the OME-XML')\n"
            "    factor = {'µm': 1, 'um': 1, 'nm': 0.001, 'mm': 1000}[pixels.get('PhysicalSizeXUnit', 'µm')]\n"
            "    return float(pixels['PhysicalSizeX']) * factor\n")),
        ("a regular expression", (
            "def pixel_size_from_ome(ome_xml):\n    import re\n"
            "    size = re.search(r'PhysicalSizeX=\"([0-9.eE+-]+)\"', ome_xml)\n"
            "    if not size:\n        raise ValueError('PhysicalSizeX is missing')\n"
            "    unit = re.search(r'PhysicalSizeXUnit=\"([^\"]+)\"', ome_xml)\n"
            "    unit = unit.group(1) if unit else 'µm'\n"
            "    if unit == 'nm':\n        return float(size.group(1)) / 1000\n"
            "    if unit == 'mm':\n        return float(size.group(1)) * 1000\n"
            "    return float(size.group(1))\n")),
    ],
    ("09-your-own-data", "pixel_size_from_resolution"): [
        ("fractions", (
            "def pixel_size_from_resolution(x_resolution, resolution_unit):\n    from fractions import Fraction\n"
            "    if resolution_unit == 2:\n        unit_um = 25400\n    elif resolution_unit == 3:\n        unit_um = 10000\n"
            "    else:\n        raise ValueError('ResolutionUnit gives no length')\n"
            "    return float(unit_um / Fraction(*x_resolution))\n")),
        ("inches through centimetres", (
            "def pixel_size_from_resolution(x_resolution, resolution_unit):\n"
            "    if resolution_unit not in (2, 3):\n        raise ValueError(f'unit {resolution_unit}')\n"
            "    per_cm = x_resolution[0] / x_resolution[1]\n"
            "    if resolution_unit == 2:\n        per_cm = per_cm / 2.54\n"
            "    return 1e4 / per_cm\n")),
    ],
    ("09-your-own-data", "cells_table"): [
        ("a loop over regionprops", (
            "def cells_table(labels, image, pixel_size_um, file, frame):\n"
            "    from skimage.measure import regionprops\n"
            "    table = {'file': [], 'frame': [], 'label': [], 'area_um2': [], 'length_um': [], 'mean_intensity': []}\n"
            "    for region in sorted(regionprops(labels, intensity_image=image), key=lambda r: r.label):\n"
            "        table['file'].append(file); table['frame'].append(frame); table['label'].append(region.label)\n"
            "        table['area_um2'].append(region.area * pixel_size_um ** 2)\n"
            "        table['length_um'].append(region.axis_major_length * pixel_size_um)\n"
            "        table['mean_intensity'].append(region.intensity_mean)\n"
            "    return table\n")),
        ("pandas, then back to a dict", (
            "def cells_table(labels, image, pixel_size_um, file, frame):\n"
            "    df = pd.DataFrame(regionprops_table(labels, image, properties=['label', 'area', 'axis_major_length', 'intensity_mean']))\n"
            "    df.insert(0, 'frame', frame); df.insert(0, 'file', file)\n"
            "    df['area_um2'] = df.pop('area') * pixel_size_um ** 2\n"
            "    df['length_um'] = df.pop('axis_major_length') * pixel_size_um\n"
            "    df['mean_intensity'] = df.pop('intensity_mean')\n"
            "    return {name: df[name].tolist() for name in df.columns}\n")),
    ],
    ("09-your-own-data", "wrong_metadata_panel"): [
        ("lower case", 'wrong_metadata_panel = "c"\n'),
        ("with spaces", "wrong_metadata_panel = ' C '\n"),
    ],
    ("09-your-own-data", "hand_in"): [
        ("the course's segment_cells and a list of rows", (
            "rows, failed = [], []\n"
            "for path in sorted(sh.own_data_folder().iterdir()):\n"
            "    if path.suffix != '.tif':\n        continue\n"
            "    try:\n        data = tifffile.imread(path)\n        stack = data if data.ndim == 3 else data[None]\n"
            "        size = sh.read_pixel_size(path)[0] or 0.055\n"
            "        for t in range(len(stack)):\n"
            "            table = cells_table(sh.segment_cells(stack[t], pixel_size_um=size), stack[t], size, path.name, t)\n"
            "            rows += [dict(zip(table, values)) for values in zip(*table.values())]\n"
            "    except Exception as error:\n        failed.append(path.name)\n"
            "hand_in = {'table': pd.DataFrame(rows).to_dict(orient='list'), 'failed': failed}\n")),
    ],
}
