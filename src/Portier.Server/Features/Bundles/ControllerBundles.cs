using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Bundles;
using Portier.Core.Devices;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Decisions;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Logging;
using Portier.Server.Infrastructure.Mqtt;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Bundles;

/// <summary>
/// Keeps every paired controller's bundle current. A committed policy change (anything the decision
/// snapshot is built from) wakes one rebuild of all controllers' bundles; a controller whose content
/// changed gets the next version, persisted before it is sent, and, when online, the delta from the
/// version the server holds in memory (the full bundle when it holds none, as after a restart). A
/// controller that syncs with an older version, or none, gets the full bundle. The people and hashed
/// credentials of a site are computed once per rebuild and shared by all its controllers.
/// </summary>
public sealed partial class ControllerBundles(
    IServiceScopeFactory scopes,
    IDeviceLink link,
    BundleKeys keys,
    TimeProvider clock,
    ILogger<ControllerBundles> logger) : BackgroundService, IDefinitionCache
{
    /// <summary>The full body of the version in force for a controller, as last built by this server.</summary>
    private readonly ConcurrentDictionary<Guid, BundleBody> _held = new();
    /// <summary>Controllers whose last bundle from this server was a delta: a refusal of it is answered with the full bundle.</summary>
    private readonly ConcurrentDictionary<Guid, bool> _sentDelta = new();
    private readonly SemaphoreSlim _build = new(1, 1);
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public string Name => "bundles";

    public Type DefinitionMarker => typeof(IPolicyDefinition);

    public void MarkChanged() => _changes.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A first pass at start: versions catch up with changes made while no server ran, and deltas have a base.
        MarkChanged();
        await foreach (var _ in _changes.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RefreshAsync(only: null, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRefreshFailed(logger, e);
            }
        }
    }

    /// <summary>
    /// Answers a controller's sync: the server's clock on <c>time</c>, then the full bundle when the
    /// controller holds none or an older one. False when the device is not a paired controller of a door.
    /// </summary>
    public async Task<bool> SyncAsync(Guid deviceId, SyncMessage sync, CancellationToken ct)
    {
        await link.PublishAsync(deviceId, DeviceTopic.Time, DeviceProtocol.Serialize(new TimeMessage(clock.GetUtcNow())), ct);
        await _build.WaitAsync(ct);
        try
        {
            var sent = _held.ContainsKey(deviceId) ? [] : await RebuildAsync(deviceId, ct);
            if (!_held.TryGetValue(deviceId, out var held)) return false;
            if (sync.BundleVersion is { } version && version > held.Version)
                LogControllerAhead(logger, deviceId, version, held.Version);
            if ((sync.BundleVersion is null || sync.BundleVersion < held.Version) && !sent.Contains(deviceId)) await PublishAsync(held, delta: null, ct);
            return true;
        }
        finally
        {
            _build.Release();
        }
    }

    /// <summary>
    /// Records a controller's answer to a bundle: the version it now holds, or why it refused one (it kept its
    /// last good bundle, so a refused delta is followed by the full bundle). False for a device with no bundle.
    /// </summary>
    public async Task<bool> AcknowledgeAsync(Guid deviceId, BundleAckMessage ack, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var row = db.Set<ControllerBundle>().Where(b => b.DeviceId == deviceId);
        if (!await row.AnyAsync(ct)) return false;
        await row.Where(b => ack.Version <= b.Version && (b.AcknowledgedVersion == null || b.AcknowledgedVersion < ack.Version))
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.AcknowledgedVersion, ack.Version).SetProperty(b => b.AcknowledgedAt, now), ct);
        await db.Set<BundleRevocation>().Where(r => r.DeviceId == deviceId && r.Version <= ack.Version).ExecuteDeleteAsync(ct);
        if (ack.Ok) return true;

        var error = string.IsNullOrWhiteSpace(ack.Error) ? "refused without a reason" : ack.Error.Trim();
        if (error.Length > ControllerBundle.MaxRefusalLength) error = error[..ControllerBundle.MaxRefusalLength];
        await row.ExecuteUpdateAsync(s => s.SetProperty(b => b.LastRefusal, error).SetProperty(b => b.LastRefusalAt, now), ct);
        LogRefused(logger, deviceId, ack.Version, LogSafe.Escape(error));
        if (_sentDelta.TryRemove(deviceId, out _) && _held.TryGetValue(deviceId, out var held) && held.Version > ack.Version)
        {
            await _build.WaitAsync(ct);
            try
            {
                await PublishAsync(held, delta: null, ct);
            }
            finally
            {
                _build.Release();
            }
        }
        return true;
    }

    /// <summary>The full body of a controller's current version, built when not yet held. Null for a device that is not a paired controller.</summary>
    public async Task<BundleBody?> CurrentAsync(Guid deviceId, CancellationToken ct)
    {
        if (_held.TryGetValue(deviceId, out var held)) return held;
        await RefreshAsync(deviceId, ct);
        return _held.GetValueOrDefault(deviceId);
    }

    private async Task RefreshAsync(Guid? only, CancellationToken ct)
    {
        await _build.WaitAsync(ct);
        try
        {
            await RebuildAsync(only, ct);
        }
        finally
        {
            _build.Release();
        }
    }

    /// <summary>
    /// Rebuilds the bundles of every paired controller (or one), persists new versions, then sends them to
    /// the controllers online; returns those it sent to. The caller holds <see cref="_build"/>.
    /// </summary>
    private async Task<HashSet<Guid>> RebuildAsync(Guid? only, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var layouts = await ControllerLayouts.LoadAsync(db, only, ct);
        if (only is null) foreach (var gone in _held.Keys.Except(layouts.Select(l => l.DeviceId))) _held.TryRemove(gone, out _);
        var sent = new HashSet<Guid>();
        if (layouts.Count == 0) return sent;

        var definitions = await PolicyDefinitionsLoader.LoadAsync(db, ct);
        var uses = await db.Set<Credential>().AsNoTracking().Where(c => c.MaxUses != null && c.UseCount > 0)
            .ToDictionaryAsync(c => c.Id, c => c.UseCount, ct);
        var ids = layouts.Select(l => l.DeviceId).ToList();
        var rows = await db.Set<ControllerBundle>().Where(b => ids.Contains(b.DeviceId)).ToDictionaryAsync(b => b.DeviceId, ct);
        var now = clock.GetCurrentInstant();
        var changed = new List<(ControllerLayout Layout, BundleBody Next, BundleBody? Delta)>();

        foreach (var site in layouts.GroupBy(l => l.SiteId))
        {
            var credentialKey = keys.CredentialKey(site.Key);
            var parts = BundleBuilder.PrepareSite(definitions, site.Key, credentialKey, uses);
            foreach (var layout in site)
            {
                var spec = new ControllerBundleSpec(site.Key, layout.DeviceId, layout.Doors, layout.OfflineHorizonMinutes, credentialKey) { CredentialUses = uses };
                var draft = BundleBuilder.Build(definitions, parts, spec, 0, DateTimeOffset.UnixEpoch);
                var hash = ContentHash(draft);
                rows.TryGetValue(layout.DeviceId, out var row);
                if (row is not null && row.ContentHash == hash)
                {
                    if (!_held.TryGetValue(layout.DeviceId, out var same) || same.Version != row.Version)
                        _held[layout.DeviceId] = draft with { Version = row.Version, IssuedAt = row.BuiltAt.ToDateTimeOffset() };
                    continue;
                }
                var next = draft with { Version = (row?.Version ?? 0) + 1, IssuedAt = now.ToDateTimeOffset() };
                var previous = row is not null && _held.TryGetValue(layout.DeviceId, out var held) && held.Version == row.Version ? held : null;
                var delta = previous is null ? null : BundleDiff.Between(previous, next);
                if (row is null)
                    db.Add(new ControllerBundle { DeviceId = layout.DeviceId, SiteId = layout.SiteId, Version = next.Version, ContentHash = hash, BuiltAt = now });
                else
                {
                    row.Version = next.Version;
                    row.ContentHash = hash;
                    row.BuiltAt = now;
                }
                if (previous is not null && delta is not null)
                    foreach (var r in Revocations.Carried(previous, delta))
                        db.Add(new BundleRevocation { DeviceId = layout.DeviceId, Version = next.Version, Kind = r.Kind, SubjectId = r.SubjectId, PersonId = r.PersonId, At = now });
                changed.Add((layout, next, delta));
            }
        }
        if (changed.Count == 0) return sent;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another node moved a version first: forget what this one holds and build again from the database.
            foreach (var (layout, _, _) in changed) _held.TryRemove(layout.DeviceId, out _);
            LogVersionRace(logger);
            MarkChanged();
            return sent;
        }
        foreach (var (layout, next, delta) in changed)
        {
            _held[layout.DeviceId] = next;
            if (!layout.Online) continue;
            await PublishAsync(next, delta, ct);
            sent.Add(layout.DeviceId);
        }
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        LogRebuilt(logger, changed.Count, layouts.Count, elapsed.TotalMilliseconds);
        return sent;
    }

    /// <summary>Signs and sends the delta when there is one, else the full bundle.</summary>
    private async Task PublishAsync(BundleBody full, BundleBody? delta, CancellationToken ct)
    {
        var body = delta ?? full;
        var payload = BundleCodec.Encode(body, keys.SigningSeed(body.SiteId));
        _sentDelta[body.DeviceId] = delta is not null;
        if (!await link.PublishAsync(body.DeviceId, DeviceTopic.Bundle, payload, ct))
            LogNotSent(logger, body.DeviceId, body.Version);
    }

    /// <summary>SHA-256 of the body's wire form: equal hashes, equal content (built with version 0 and the epoch as issue time).</summary>
    private static string ContentHash(BundleBody draft) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(draft, BundleCodec.Json)));

    public override void Dispose()
    {
        _build.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Controller bundles rebuilt: {Changed} of {Controllers} changed in {Milliseconds:F1} ms")]
    private static partial void LogRebuilt(ILogger logger, int changed, int controllers, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rebuilding controller bundles failed; the next change tries again")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Controller {DeviceId} refused bundle (it holds version {Version}): {Error}")]
    private static partial void LogRefused(ILogger logger, Guid deviceId, long version, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bundle version {Version} for controller {DeviceId} could not be handed to the broker; it is sent again on the controller's next sync")]
    private static partial void LogNotSent(ILogger logger, Guid deviceId, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Controller {DeviceId} holds bundle version {Held}, newer than the server's {Server}; it keeps it until the server's version passes it")]
    private static partial void LogControllerAhead(ILogger logger, Guid deviceId, long held, long server);

    [LoggerMessage(Level = LogLevel.Information, Message = "Another node changed a controller's bundle version first; building again")]
    private static partial void LogVersionRace(ILogger logger);
}
