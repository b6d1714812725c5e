//! Writes the two charts of the post's model to the given directory
//! (default: the current one): `stages.svg` and `regions.svg`.

use l2stage_render::chart::{ChartOptions, regions_chart_svg, stage_chart_svg};
use l2stage_risk::BaseModel;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let model = BaseModel::default();
    let opts = ChartOptions {
        proof_failure: Some(1e-3),
        ..Default::default()
    };
    std::fs::write(format!("{dir}/stages.svg"), stage_chart_svg(&model, &opts)?)?;
    std::fs::write(
        format!("{dir}/regions.svg"),
        regions_chart_svg(&model, &opts)?,
    )?;
    Ok(())
}
