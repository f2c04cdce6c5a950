//! `calinvite inbound list|retry`: the inbound log from the command line, on a stopped
//! server's store. Quarantined messages keep their raw bytes, so after a fix (a new
//! version, a registered address, a recipient added) they can be processed again.

use crate::app::App;
use anyhow::Result;
use calinvite_storage::{InboundFilter, InboundId, InboundOutcome};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum InboundCommand {
    /// List received messages, newest first.
    List {
        /// Only quarantined messages.
        #[arg(long)]
        quarantined: bool,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Process a kept message again and record the new outcome.
    Retry { id: u64 },
}

pub async fn run(cmd: InboundCommand, app: &App) -> Result<()> {
    match cmd {
        InboundCommand::List { quarantined, limit } => {
            let filter = if quarantined {
                InboundFilter::Quarantined
            } else {
                InboundFilter::All
            };
            let page = app.store.list_inbound(filter, None, limit.max(1)).await?;
            if page.items.is_empty() {
                println!("no messages");
            }
            for m in page.items {
                println!(
                    "{}\t{}\t{}\t{}",
                    m.id,
                    m.source,
                    m.message_id.unwrap_or_default(),
                    describe(&m.outcome)
                );
            }
        }
        InboundCommand::Retry { id } => {
            let outcome = crate::inbound::pipeline::retry(app, InboundId(id)).await?;
            println!("{id}\t{}", describe(&outcome));
        }
    }
    Ok(())
}

fn describe(o: &InboundOutcome) -> String {
    match o {
        InboundOutcome::Received => "received".into(),
        InboundOutcome::Applied { summary } => format!("applied: {summary}"),
        InboundOutcome::Ignored { reason } => format!("ignored: {reason}"),
        InboundOutcome::Quarantined { error } => format!("quarantined: {error}"),
    }
}
