//! A layer that keeps a job from staying `Running` for ever.

use std::task::{Context, Poll};

use apalis::prelude::{BoxDynError, Status, Task};
use futures_util::future::BoxFuture;

/// Settles a job whose run ended in an error before apalis recorded how it
/// ended (a panic caught further out, a timeout): without it the row is
/// acknowledged as `Running` and no worker ever takes it again. Such a run
/// is marked failed for good (`Killed`).
#[derive(Clone, Copy, Debug, Default)]
pub struct SettleStatusLayer;

impl<S> tower::Layer<S> for SettleStatusLayer {
    type Service = SettleStatus<S>;
    fn layer(&self, inner: S) -> SettleStatus<S> {
        SettleStatus(inner)
    }
}

/// The service [`SettleStatusLayer`] makes.
#[derive(Clone, Debug)]
pub struct SettleStatus<S>(S);

impl<S, Args> tower::Service<Task<Args>> for SettleStatus<S>
where
    S: tower::Service<Task<Args>>,
    S::Future: Send + 'static,
    S::Error: Into<BoxDynError>,
{
    type Response = S::Response;
    type Error = BoxDynError;
    type Future = BoxFuture<'static, Result<S::Response, BoxDynError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxDynError>> {
        self.0.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, task: Task<Args>) -> Self::Future {
        let status = task.raw_status().clone();
        let run = self.0.call(task);
        Box::pin(async move {
            let result = run.await.map_err(Into::into);
            if result.is_err() && status.load() == Status::Running {
                status.store(Status::Killed);
            }
            result
        })
    }
}
