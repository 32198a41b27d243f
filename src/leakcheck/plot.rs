//! `--plot FILE.svg`: memory (committed and resident) and threads per cycle, two panels.
//!
//! plotters draws the frames, lines and points. Its own text rendering needs font files (or a
//! font feature this crate does not enable), so the few labels are written as plain SVG
//! `<text>` elements at positions computed from the same layout constants; any SVG viewer
//! renders them with its default font.

use super::protocol::Sample;
use plotters::prelude::*;

const WIDTH: u32 = 800;
const HEIGHT: u32 = 600;
const PANEL: u32 = HEIGHT / 2;
const MARGIN_TOP: u32 = 40;
const MARGIN_BOTTOM: u32 = 30;
const MARGIN_LEFT: u32 = 90;
const MARGIN_RIGHT: u32 = 20;

const COMMITTED: RGBColor = RGBColor(200, 40, 40);
const RESIDENT: RGBColor = RGBColor(40, 90, 200);
const THREADS: RGBColor = RGBColor(30, 140, 60);

/// One panel's lines: (legend, colour, points).
type Lines<'a> = [(&'a str, RGBColor, Vec<(f64, f64)>)];

/// Renders the SVG document for `samples` (cycle 0 is the baseline before the first load).
pub(crate) fn render_svg(samples: &[Sample], title: &str, warmup: u32) -> Result<String, String> {
    if samples.is_empty() {
        return Err("no samples to plot".into());
    }
    let memory = [
        (
            "committed KiB",
            COMMITTED,
            samples
                .iter()
                .map(|s| (s.cycle as f64, s.committed_kib as f64))
                .collect(),
        ),
        (
            "resident KiB",
            RESIDENT,
            samples
                .iter()
                .map(|s| (s.cycle as f64, s.resident_kib as f64))
                .collect(),
        ),
    ];
    let threads = [(
        "threads",
        THREADS,
        samples
            .iter()
            .map(|s| (s.cycle as f64, s.threads as f64))
            .collect(),
    )];
    let mut svg = String::new();
    let mut labels = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| format!("{e:?}"))?;
        let (top, bottom) = root.split_vertically(PANEL);
        for (index, (area, lines, heading)) in [
            (
                &top,
                &memory[..],
                format!("{title}: memory after each unload"),
            ),
            (
                &bottom,
                &threads[..],
                "threads after each unload".to_string(),
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let offset = index as u32 * PANEL;
            let (x_range, y_range) = ranges(lines);
            draw_panel(area, lines, x_range.clone(), y_range.clone(), warmup)?;
            labels.extend(panel_labels(offset, &heading, lines, x_range, y_range));
        }
        root.present().map_err(|e| format!("{e:?}"))?;
    }
    let end = svg.rfind("</svg>").ok_or("plotters wrote no </svg>")?;
    svg.insert_str(end, &labels.concat());
    Ok(svg)
}

fn ranges(lines: &Lines) -> (std::ops::Range<f64>, std::ops::Range<f64>) {
    let xs = lines.iter().flat_map(|l| l.2.iter().map(|p| p.0));
    let ys = lines.iter().flat_map(|l| l.2.iter().map(|p| p.1));
    let (x_min, x_max) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let (y_min, y_max) = ys.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(y), b.max(y)));
    // Flat series still need a visible band; 5% headroom keeps points off the frame.
    let pad = ((y_max - y_min) * 0.05).max(1.0);
    let x_max = if x_max > x_min { x_max } else { x_min + 1.0 };
    (x_min..x_max, (y_min - pad).max(0.0)..y_max + pad)
}

fn draw_panel(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    lines: &Lines,
    x_range: std::ops::Range<f64>,
    y_range: std::ops::Range<f64>,
    warmup: u32,
) -> Result<(), String> {
    let inner = area.margin(MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT);
    let mut chart = ChartBuilder::on(&inner)
        .build_cartesian_2d(x_range.clone(), y_range.clone())
        .map_err(|e| format!("{e:?}"))?;
    // Shade the warm-up cycles, which the trend ignores.
    let warm = [
        (x_range.start, y_range.start),
        ((warmup as f64).min(x_range.end), y_range.end),
    ];
    chart
        .draw_series(std::iter::once(Rectangle::new(
            warm,
            RGBColor(230, 230, 230).filled(),
        )))
        .map_err(|e| format!("{e:?}"))?;
    // After the shading, so that the shading does not hide the frame.
    let frame = [(x_range.start, y_range.start), (x_range.end, y_range.end)];
    chart
        .draw_series(std::iter::once(Rectangle::new(
            frame,
            BLACK.stroke_width(1),
        )))
        .map_err(|e| format!("{e:?}"))?;
    for (_, colour, points) in lines {
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .map_err(|e| format!("{e:?}"))?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
            .map_err(|e| format!("{e:?}"))?;
    }
    Ok(())
}

fn panel_labels(
    offset: u32,
    heading: &str,
    lines: &Lines,
    x_range: std::ops::Range<f64>,
    y_range: std::ops::Range<f64>,
) -> Vec<String> {
    let left = MARGIN_LEFT;
    let right = WIDTH - MARGIN_RIGHT;
    let top = offset + MARGIN_TOP;
    let bottom = offset + PANEL - MARGIN_BOTTOM;
    let mut labels = vec![
        text(left, offset + 18, "start", "#000", 14, heading),
        text(left + 4, bottom - 6, "start", "#777", 11, "warm-up"),
        text(
            left - 6,
            top + 5,
            "end",
            "#000",
            11,
            &format!("{:.0}", y_range.end),
        ),
        text(
            left - 6,
            bottom,
            "end",
            "#000",
            11,
            &format!("{:.0}", y_range.start),
        ),
        text(
            left,
            bottom + 16,
            "start",
            "#000",
            11,
            &format!("cycle {:.0}", x_range.start),
        ),
        text(
            right,
            bottom + 16,
            "end",
            "#000",
            11,
            &format!("cycle {:.0}", x_range.end),
        ),
    ];
    for (index, (legend, colour, _)) in lines.iter().enumerate() {
        let hex = format!("#{:02x}{:02x}{:02x}", colour.0, colour.1, colour.2);
        labels.push(text(
            right,
            offset + 18 + 14 * index as u32,
            "end",
            &hex,
            12,
            legend,
        ));
    }
    labels
}

fn text(x: u32, y: u32, anchor: &str, fill: &str, size: u32, content: &str) -> String {
    let escaped = content
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<text x=\"{x}\" y=\"{y}\" text-anchor=\"{anchor}\" fill=\"{fill}\" \
         font-family=\"sans-serif\" font-size=\"{size}\">{escaped}</text>\n"
    )
}
