using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Portier.Server.Components.Api;

/// <summary>
/// The answer side of an in-process request: status and headers are kept until the first byte of the
/// body (or the end), then <paramref name="onStart"/> sees them; the body goes to <paramref name="body"/>.
/// Callbacks registered for the start and the completion of the response run as a server runs them.
/// </summary>
public sealed class InProcessResponse(Stream body, Func<InProcessResponse, Task>? onStart = null) : IHttpResponseFeature, IHttpResponseBodyFeature, IDisposable
{
    private readonly List<(Func<object, Task> Callback, object State)> _onStarting = [];
    private readonly List<(Func<object, Task> Callback, object State)> _onCompleted = [];
    private StartingStream? _stream;
    private PipeWriter? _writer;

    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    public string? ReasonPhrase { get; set; }

    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

    Stream IHttpResponseFeature.Body { get => Stream; set => throw new NotSupportedException("The in-process response body cannot be replaced."); }

    public bool HasStarted { get; private set; }

    public Stream Stream => _stream ??= new StartingStream(body, StartAsync);

    public PipeWriter Writer => _writer ??= PipeWriter.Create(Stream, new StreamPipeWriterOptions(leaveOpen: true));

    public void OnStarting(Func<object, Task> callback, object state) => _onStarting.Add((callback, state));

    public void OnCompleted(Func<object, Task> callback, object state) => _onCompleted.Add((callback, state));

    public void DisableBuffering()
    {
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (HasStarted) return;
        // Callbacks registered last run first, as on a real server.
        for (var i = _onStarting.Count - 1; i >= 0; i--) await _onStarting[i].Callback(_onStarting[i].State);
        HasStarted = true;
        if (onStart is not null) await onStart(this);
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(Stream, path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        await StartAsync();
        if (_writer is not null) await _writer.FlushAsync();
    }

    /// <summary>The pipeline failed before answering: a bare 500, as a server would send.</summary>
    internal void Fail()
    {
        StatusCode = StatusCodes.Status500InternalServerError;
        Headers.Clear();
    }

    /// <summary>Ends the exchange: starts the answer if nothing did, then runs the completion callbacks (which dispose the request's services).</summary>
    internal async Task FinishAsync()
    {
        await StartAsync();
        for (var i = _onCompleted.Count - 1; i >= 0; i--) await _onCompleted[i].Callback(_onCompleted[i].State);
    }

    /// <summary>The body stream wraps the caller's, which it leaves open.</summary>
    public void Dispose() => _stream?.Dispose();

    /// <summary>The body stream: its first write starts the response, so headers are final before any byte goes out.</summary>
    private sealed class StartingStream(Stream inner, Func<CancellationToken, Task> starting) : Stream
    {

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await StartAsync(cancellationToken);
            await inner.FlushAsync(cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) =>
            throw new InvalidOperationException("Synchronous writes are not allowed; use WriteAsync.");

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await StartAsync(cancellationToken);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        private Task StartAsync(CancellationToken ct) => starting(ct);
    }
}
