"""Helpers for the course Computer Vision for Microscopy.

This file only re-exports the names the notebooks use; each lives in the
module named after its topic. The reference versions of the graded
exercises live here too, under the exercise's name, so that later chapters
can build on them.
"""

from . import checks
from .arrays import (
    LUMINANCE_WEIGHTS,
    add_channel_axis,
    check_channel_order,
    chw_to_hwc,
    dtype_range,
    guess_channel_order,
    hwc_to_chw,
    normalize_minmax,
    normalize_percentile,
    normalize_to_range,
    remove_channel_axis,
    rgb_to_gray,
    saturating_add,
)
from .canvas import THREE_DISKS, Canvas, draw_disks, three_disk_canvas
from .data import (
    CELL_PIXEL_SIZE_UM,
    DATA_DIR,
    cell,
    cell_12bit,
    data_path,
    ecoli_crop,
    ecoli_frame,
    ecoli_timelapse,
    ecoli_timelapse_offsets,
    ihc,
)
from .display import (
    OVERLAP_COLOURS,
    animate_stack,
    label_colormap,
    show_image,
    show_images,
    show_labels,
    show_lineage,
    show_matches,
    show_overlap,
    show_tracks,
)
from .environment import check_environment, pinned_versions
from .measure import measure_cells
from .microscope_files import (
    OWN_DATA_FILES,
    cells_table,
    own_data_folder,
    pixel_size_from_ome,
    pixel_size_from_resolution,
    read_pixel_size,
    to_tyx,
)
from .masks import (
    count_components,
    count_objects,
    instance_to_binary,
    label_components,
    object_areas,
    relabel_consecutive,
)
from .metrics import (
    DEFAULT_THRESHOLDS,
    LabelOverlaps,
    Matching,
    MatchingScores,
    f1_at,
    iou,
    iou_matrix,
    label_overlaps,
    match_instances,
    match_labels,
    match_overlaps,
    matching_scores,
    precision_recall,
    scores_over_thresholds,
    seg_score,
)
from .noise import (
    add_dust,
    add_salt_noise,
    erosions_to_remove,
    roughen_outline,
    salt_noise_by_truncation,
    true_noise_probability,
)
from .segmentation import (
    WATERSHED_SLIPS,
    dark_foreground,
    distance_to_background,
    find_peaks,
    find_watershed,
    flatten_background,
    markers_from_peaks,
    markers_from_plateaus,
    merge_fragments,
    remove_speckles,
    rod_markers,
    rod_scales,
    segment_cells,
    slip_panels,
    threshold,
    watershed_from_markers,
    rescaled_level,
    otsu_dark_mask,
    sizes_in_pixels,
    clean_mask,
    segment_rods,
    watershed_with_slip,
)
from .tracking import (
    count_per_frame,
    elongation_rate,
    find_divisions,
    fit_doubling_time,
    link_frames,
    read_ctc,
    track_cells,
    write_ctc,
)
from .rods import basin_markers, widest_chord
from .thresholds import source_level
from .synthetic import (
    Rod,
    divided_pair,
    random_rods,
    render_rods,
    rods_to_labels,
    side_by_side,
    simulate_colony,
    simulate_field,
    unknown_microscope_field,
)

__all__ = [
    "checks",
    # arrays: channels, bit depth, normalization (chapter 02)
    "LUMINANCE_WEIGHTS", "add_channel_axis", "remove_channel_axis", "guess_channel_order",
    "check_channel_order", "hwc_to_chw", "chw_to_hwc", "rgb_to_gray", "dtype_range",
    "saturating_add", "normalize_minmax", "normalize_percentile", "normalize_to_range",
    # canvas (chapters 01, 03)
    "Canvas", "THREE_DISKS", "three_disk_canvas", "draw_disks",
    # data: sample images, the real E. coli crops and time-lapse (chapters 06, 08)
    "cell", "ihc", "cell_12bit", "CELL_PIXEL_SIZE_UM", "DATA_DIR", "data_path",
    "ecoli_crop", "ecoli_timelapse", "ecoli_frame", "ecoli_timelapse_offsets",
    # display
    "show_image", "show_images", "show_labels", "label_colormap",
    # display of two segmentations against each other (chapter 07)
    "show_overlap", "show_matches", "OVERLAP_COLOURS",
    # display of tracks and lineages (chapter 08)
    "show_lineage", "show_tracks", "animate_stack",
    # environment (chapter 00)
    "check_environment", "pinned_versions",
    # masks: binary and instance masks (chapter 03)
    "instance_to_binary", "count_objects", "label_components", "count_components",
    "relabel_consecutive", "object_areas",
    # metrics (chapter 07)
    "iou", "iou_matrix", "match_instances", "f1_at", "precision_recall", "label_overlaps", "LabelOverlaps",
    "match_labels", "match_overlaps", "Matching", "matching_scores", "scores_over_thresholds",
    "MatchingScores", "DEFAULT_THRESHOLDS", "seg_score",
    # noise (chapter 05)
    "add_salt_noise", "salt_noise_by_truncation", "true_noise_probability", "erosions_to_remove",
    "add_dust", "roughen_outline",
    # segmentation: thresholds, cleaning, watershed (chapters 04-06)
    "threshold", "remove_speckles", "distance_to_background", "find_peaks", "markers_from_peaks",
    "markers_from_plateaus", "watershed_from_markers", "find_watershed",
    "WATERSHED_SLIPS", "watershed_with_slip", "slip_panels",
    # segmentation of rods in phase contrast (chapter 06)
    "rod_scales", "flatten_background", "dark_foreground", "rod_markers", "merge_fragments",
    "segment_cells",
    # chapter 06: the classical pipeline for rods (exercises) and measuring cells
    "source_level", "rescaled_level", "otsu_dark_mask", "sizes_in_pixels", "clean_mask", "segment_rods", "measure_cells",
    "widest_chord", "basin_markers",
    # synthetic: simulated phase-contrast images with ground truth (chapters 06, 08)
    "Rod", "divided_pair", "side_by_side", "random_rods", "rods_to_labels", "render_rods",
    "simulate_field", "simulate_colony", "unknown_microscope_field",
    # tracking: counts, growth, links and divisions (chapter 08)
    "count_per_frame", "fit_doubling_time", "link_frames", "find_divisions",
    # tracking: whole tracks, their lineage, the Cell Tracking Challenge format, growth of one cell (chapter 08)
    "track_cells", "write_ctc", "read_ctc", "elongation_rate",
    # microscope files: axes, pixel sizes from metadata, a folder of files (chapter 09)
    "OWN_DATA_FILES", "own_data_folder", "read_pixel_size", "pixel_size_from_ome", "pixel_size_from_resolution",
    "to_tyx", "cells_table",
]
