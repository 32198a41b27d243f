//! The `--plot` chart: throughput against problem size, one line per library and routine.

use super::Measurement;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// The routine, plus the shape and depth when they vary (`dgemm skinny k=64`).
fn series_name(m: &Measurement) -> String {
    match m.shape.as_str() {
        "skinny" => format!("{} skinny k={}", m.routine, m.k),
        _ => m.routine.clone(),
    }
}

pub fn draw(path: &Path, measurements: &[Measurement]) -> Result<(), String> {
    let mut series: BTreeMap<(String, String, i32), Vec<(f64, f64)>> = BTreeMap::new();
    for m in measurements {
        let library = Path::new(&m.library)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        series
            .entry((series_name(m), library, m.threads))
            .or_default()
            .push((m.size as f64, m.median));
    }
    let max_size = measurements
        .iter()
        .map(|m| m.size as f64)
        .fold(1.0, f64::max);
    let max_rate = measurements.iter().map(|m| m.median).fold(1e-9, f64::max);
    let unit = match measurements.first() {
        Some(first) if measurements.iter().all(|m| m.unit == first.unit) => first.unit,
        Some(_) => "GFLOPS (level 3) or GB/s (levels 1-2)",
        None => "GFLOPS",
    };
    let root = SVGBackend::new(path, (960, 600)).into_drawing_area();
    let error = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| error(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("blastool bench: {unit} (median) against size"),
            ("sans-serif", 20),
        )
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..max_size * 1.05, 0.0..max_rate * 1.15)
        .map_err(|e| error(&e))?;
    chart
        .configure_mesh()
        .x_desc("size")
        .y_desc(unit)
        .draw()
        .map_err(|e| error(&e))?;
    for (index, ((routine, library, threads), points)) in series.iter().enumerate() {
        let color = Palette99::pick(index).to_rgba();
        let label = format!("{routine} {library} t{threads}");
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(|e| error(&e))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        chart
            .draw_series(points.iter().map(|p| Circle::new(*p, 3, color.filled())))
            .map_err(|e| error(&e))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| error(&e))?;
    root.present().map_err(|e| error(&e))
}
