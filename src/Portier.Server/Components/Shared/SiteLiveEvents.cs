using Portier.Server.Features.LiveEvents;

namespace Portier.Server.Components.Shared;

/// <summary>
/// A console page following one site's live events in process. Start it before loading what the
/// page shows, so each change is either in that load or arrives afterwards. Both callbacks run on
/// the page's dispatcher; when the page falls a whole buffer behind it listens again and
/// <c>startOver</c> reloads from the API. Disposing stops it.
/// </summary>
public sealed class SiteLiveEvents : IDisposable
{
    private readonly ILiveEventFeed _feed;
    private readonly Guid _siteId;
    private readonly Func<Func<Task>, Task> _dispatch;
    private readonly Func<LiveEvent, Task> _onEvent;
    private readonly Func<Task> _startOver;
    private IDisposable? _listening;
    private bool _disposed;

    /// <param name="dispatch">The page's <c>InvokeAsync</c>.</param>
    public SiteLiveEvents(ILiveEventFeed feed, Guid siteId, Func<Func<Task>, Task> dispatch, Func<LiveEvent, Task> onEvent, Func<Task> startOver)
    {
        (_feed, _siteId, _dispatch, _onEvent, _startOver) = (feed, siteId, dispatch, onEvent, startOver);
        Listen();
    }

    private void Listen() =>
        _listening = _feed.Listen(_siteId, evt => _dispatch(() => _disposed ? Task.CompletedTask : _onEvent(evt)), () => _ = _dispatch(async () =>
        {
            if (_disposed) return;
            _listening?.Dispose();
            Listen();
            await _startOver();
        }));

    public void Dispose()
    {
        _disposed = true;
        _listening?.Dispose();
    }
}
