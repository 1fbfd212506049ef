using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Data.Common;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portier.Server.Infrastructure.Changes;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// Marks the in-memory definition caches (<see cref="IDefinitionCache"/>) stale after a save that changed
/// an entity carrying their marker. Live facts (<see cref="LiveFactAttribute"/>) change on every pass and
/// are read or noted as they happen, so they alone never trigger a rebuild. Inside a transaction the mark
/// waits for the commit, so no rebuild can read the database before the change is visible. The names of
/// the caches marked are then announced to the other nodes (<see cref="DefinitionChangeAnnouncer"/>; on
/// PostgreSQL only). One instance serves every context, keeping each context's pending marks beside it.
/// </summary>
public sealed class DefinitionChangeInterceptor : SaveChangesInterceptor, IDbTransactionInterceptor
{
    /// <summary>One bit per cache: set while its change is being saved, then until the commit.</summary>
    private sealed class Marks
    {
        public ulong Saving, Pending;
        /// <summary>The definition rows behind the bits, for caches that patch themselves (<see cref="IRowPatchedCache"/>).</summary>
        public List<DefinitionRowChange> SavingRows = [], PendingRows = [];
    }

    private readonly IDefinitionCache[] _caches;
    private readonly DefinitionChangeAnnouncer? _announcer;
    private readonly ConditionalWeakTable<DbContext, Marks> _marks = new();
    private readonly ConcurrentDictionary<Type, ulong> _cachesOf = new();
    private static readonly ConcurrentDictionary<Type, FrozenSet<string>> LiveFacts = new();

    public DefinitionChangeInterceptor(IEnumerable<IDefinitionCache> caches, DefinitionChangeAnnouncer? announcer = null)
    {
        _caches = [.. caches];
        _announcer = announcer;
        if (_caches.Length > 64) throw new InvalidOperationException("At most 64 definition caches are supported.");
    }

    /// <summary>The caches (one bit each) whose definitions include entities of <paramref name="type"/>.</summary>
    private ulong CachesOf(Type type) => _cachesOf.GetOrAdd(type, t =>
    {
        ulong bits = 0;
        for (var i = 0; i < _caches.Length; i++)
            if (_caches[i].DefinitionMarker.IsAssignableFrom(t)) bits |= 1UL << i;
        return bits;
    });

    private static FrozenSet<string> LiveFactsOf(Type type) => LiveFacts.GetOrAdd(type, t =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.IsDefined(typeof(LiveFactAttribute))).Select(p => p.Name).ToFrozenSet());

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Inspect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Inspect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => ForgetSaving(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ForgetSaving(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Publish(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Publish(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => ForgetPending(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ForgetPending(eventData.Context);
        return Task.CompletedTask;
    }

    private void Inspect(DbContext? context)
    {
        if (context is null || _caches.Length == 0) return;
        var marks = _marks.GetOrCreateValue(context);
        foreach (var entry in context.ChangeTracker.Entries())
        {
            var caches = CachesOf(entry.Metadata.ClrType);
            if (caches == 0 || !ChangesDefinition(entry)) continue;
            marks.Saving |= caches;
            marks.SavingRows.Add(RowOf(entry));
        }
    }

    private void Saved(DbContext? context)
    {
        if (context is null || !_marks.TryGetValue(context, out var marks)) return;
        marks.Pending |= marks.Saving;
        marks.Saving = 0;
        marks.PendingRows.AddRange(marks.SavingRows);
        marks.SavingRows.Clear();
        if (context.Database.CurrentTransaction is null) Publish(context);
    }

    private void Publish(DbContext? context)
    {
        if (context is null || !_marks.TryGetValue(context, out var marks) || marks.Pending == 0) return;
        var pending = marks.Pending;
        var rows = marks.PendingRows;
        marks.Pending = 0;
        marks.PendingRows = [];
        var changed = new List<(string Name, IReadOnlyList<DefinitionRowChange>? Rows)>();
        for (var i = 0; i < _caches.Length; i++)
        {
            if ((pending & (1UL << i)) == 0) continue;
            var cache = _caches[i];
            if (cache is IRowPatchedCache patched) changed.Add((cache.Name, patched.PatchWith(rows)));
            else
            {
                cache.MarkChanged();
                changed.Add((cache.Name, null));
            }
        }
        _announcer?.Announce(changed);
    }

    private void ForgetSaving(DbContext? context)
    {
        if (context is null || !_marks.TryGetValue(context, out var marks)) return;
        marks.Saving = 0;
        marks.SavingRows.Clear();
    }

    private void ForgetPending(DbContext? context)
    {
        if (context is null || !_marks.TryGetValue(context, out var marks)) return;
        marks.Pending = 0;
        marks.PendingRows = [];
    }

    private static DefinitionRowChange RowOf(EntityEntry entry)
    {
        var deleted = entry.State == EntityState.Deleted;
        var key = entry.Metadata.FindPrimaryKey()?.Properties is [var only] && only.ClrType == typeof(Guid)
            ? (Guid?)(deleted ? entry.Property(only.Name).OriginalValue : entry.Property(only.Name).CurrentValue)
            : null;
        return new DefinitionRowChange(entry.Metadata.ClrType, key, deleted);
    }

    private static bool ChangesDefinition(EntityEntry entry)
    {
        if (entry.State is EntityState.Added or EntityState.Deleted) return true;
        if (entry.State != EntityState.Modified) return false;
        var liveFacts = LiveFactsOf(entry.Metadata.ClrType);
        return entry.Properties.Any(p => p.IsModified && !liveFacts.Contains(p.Metadata.Name));
    }
}
