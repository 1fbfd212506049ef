using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Audit;

/// <summary>
/// Writes an audit entry for every added, changed or deleted <see cref="IAudited"/> entity in the
/// same SaveChanges, so a change and its record commit or fail together. One instance serves every
/// context; the actor is the signed-in user of the request making the change.
/// Each entry is linked into the audit chain (<see cref="AuditChain"/>) inside the save's transaction:
/// the chain's head is read (locked, on PostgreSQL) before the save and moved after it, and a save
/// outside any transaction gets one of its own, so writers on every node take turns on the chain and
/// a failed save leaves the head where it was.
/// </summary>
public sealed class AuditInterceptor(IHttpContextAccessor requests, TimeProvider clock) : SaveChangesInterceptor
{
    /// <summary>A save's new head, and the transaction opened for it (null inside the caller's own).</summary>
    private sealed record Linking(ChainHead Next, IDbContextTransaction? Owned);

    private readonly ConditionalWeakTable<DbContext, Linking> _linking = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is not { } context || Entries(context) is not { Count: > 0 } entries) return result;
        if (context is not PortierDbContext db)
        {
            context.Set<AuditEntry>().AddRange(entries);
            return result;
        }
        var owned = db.Database.CurrentTransaction is null ? db.Database.BeginTransaction() : null;
        try
        {
            Link(db, entries, ChainHeads.Lock(db, AuditChain.Name, AuditChain.Scope), owned);
        }
        catch
        {
            owned?.Dispose();
            throw;
        }
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not { } context || Entries(context) is not { Count: > 0 } entries) return result;
        if (context is not PortierDbContext db)
        {
            context.Set<AuditEntry>().AddRange(entries);
            return result;
        }
        var owned = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            Link(db, entries, await ChainHeads.LockAsync(db, AuditChain.Name, AuditChain.Scope, cancellationToken), owned);
        }
        catch
        {
            if (owned is not null) await owned.DisposeAsync();
            throw;
        }
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is not PortierDbContext db || !TakeLinking(db, out var linking)) return result;
        try
        {
            ChainHeads.Advance(db, linking.Next);
            linking.Owned?.Commit();
        }
        finally
        {
            linking.Owned?.Dispose();
        }
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not PortierDbContext db || !TakeLinking(db, out var linking)) return result;
        try
        {
            await ChainHeads.AdvanceAsync(db, [linking.Next], cancellationToken);
            if (linking.Owned is not null) await linking.Owned.CommitAsync(cancellationToken);
        }
        finally
        {
            if (linking.Owned is not null) await linking.Owned.DisposeAsync();
        }
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Abandon(eventData.Context);

    public override async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default) =>
        await AbandonAsync(eventData.Context);

    public override void SaveChangesCanceled(DbContextEventData eventData) => Abandon(eventData.Context);

    public override async Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default) =>
        await AbandonAsync(eventData.Context);

    /// <summary>Numbers and hashes the entries after the head, and stages them; the head moves once they are saved.</summary>
    private void Link(PortierDbContext db, List<AuditEntry> entries, ChainHead head, IDbContextTransaction? owned)
    {
        var (sequence, previous) = (head.Sequence, head.Hash);
        foreach (var entry in entries)
        {
            entry.Sequence = ++sequence;
            entry.Hash = AuditChain.Compute(entry, previous);
            previous = entry.Hash;
        }
        db.Set<AuditEntry>().AddRange(entries);
        _linking.AddOrUpdate(db, new Linking(new ChainHead { Chain = AuditChain.Name, ScopeId = AuditChain.Scope, Sequence = sequence, Hash = previous }, owned));
    }

    private bool TakeLinking(DbContext context, out Linking linking)
    {
        if (!_linking.TryGetValue(context, out linking!)) return false;
        _linking.Remove(context);
        return true;
    }

    /// <summary>The save failed: the entries were not written, so the head stays, and a transaction opened for the save is rolled back.</summary>
    private void Abandon(DbContext? context)
    {
        if (context is not null && TakeLinking(context, out var linking)) linking.Owned?.Dispose();
    }

    private async Task AbandonAsync(DbContext? context)
    {
        if (context is not null && TakeLinking(context, out var linking) && linking.Owned is not null) await linking.Owned.DisposeAsync();
    }

    private List<AuditEntry> Entries(DbContext context)
    {
        var now = clock.GetCurrentInstant();
        var user = new CurrentUser(requests);
        return context.ChangeTracker.Entries()
            .Where(e => e.Entity is IAudited && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Select(e => new AuditEntry
            {
                At = now,
                Actor = user.Actor,
                SiteId = (e.Entity as ISiteOwned)?.SiteId ?? (e.Entity as ISite)?.Id,
                Action = e.State switch
                {
                    EntityState.Added => "created",
                    EntityState.Deleted => "deleted",
                    _ => "updated",
                },
                EntityType = e.Metadata.ClrType.Name,
                EntityId = ((IAudited)e.Entity).Id,
                Before = e.State == EntityState.Added ? null : Snapshot(e, original: true),
                After = e.State == EntityState.Deleted ? null : Snapshot(e, original: false),
            })
            .Where(a => a.Action != "updated" || a.Before != a.After)
            .ToList();
    }

    private static string Snapshot(EntityEntry entry, bool original)
    {
        var values = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in entry.Properties)
        {
            var clr = property.Metadata.PropertyInfo;
            if (clr?.IsDefined(typeof(SecretAttribute)) == true) continue;
            var value = original ? property.OriginalValue : property.CurrentValue;
            values[property.Metadata.Name] = value is Instant instant ? instant.ToString() : value;
        }
        return JsonSerializer.Serialize(values, JsonColumnOptions);
    }

    private static readonly JsonSerializerOptions JsonColumnOptions = new(JsonSerializerDefaults.Web);
}
