using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Events;
using Portier.Server.Features.Grants;
using Portier.Server.Features.People;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Zones;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// Marks the in-memory definitions stale after a save that changed them: the policy snapshot, and
/// the door directory the scan path reads. Live facts (a zone's count, a credential's use count, a
/// controller's heartbeat) change on every pass and are read or noted as they happen, so they alone
/// never trigger a rebuild. Inside a transaction the mark waits for the commit, so no rebuild can
/// read the database before the change is visible. One instance serves every context, keeping each
/// context's pending marks beside it.
/// </summary>
public sealed class DefinitionChangeInterceptor(PolicySnapshotStore policy, DoorDirectory doors) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private sealed class Marks
    {
        public bool PolicySaving, DoorsSaving, PolicyPending, DoorsPending;
    }

    private readonly ConditionalWeakTable<DbContext, Marks> _marks = new();

    private static readonly HashSet<Type> PolicyTypes =
        [typeof(Site), typeof(Door), typeof(Zone), typeof(AccessScope), typeof(Person), typeof(Grant), typeof(Credential), typeof(EventAccessHold),
         typeof(Features.Invites.InviteCredential)];

    private static readonly HashSet<Type> DirectoryTypes = [typeof(Door), typeof(Device)];

    private static readonly HashSet<string> LiveFactProperties =
        [nameof(Zone.CurrentCount), nameof(Credential.UseCount), nameof(Device.LastHeartbeatAt), nameof(Device.RecordedOnline),
         nameof(Device.DoorSensor), nameof(Device.DoorSensorAt)];

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
        if (context is null) return;
        var marks = _marks.GetOrCreateValue(context);
        foreach (var entry in context.ChangeTracker.Entries())
        {
            marks.PolicySaving |= Changes(entry, PolicyTypes);
            marks.DoorsSaving |= Changes(entry, DirectoryTypes);
        }
    }

    private void Saved(DbContext? context)
    {
        if (context is null || !_marks.TryGetValue(context, out var marks)) return;
        marks.PolicyPending |= marks.PolicySaving;
        marks.DoorsPending |= marks.DoorsSaving;
        marks.PolicySaving = marks.DoorsSaving = false;
        if (context.Database.CurrentTransaction is null) Publish(context);
    }

    private void Publish(DbContext? context)
    {
        if (context is null || !_marks.TryGetValue(context, out var marks)) return;
        if (marks.PolicyPending) policy.MarkChanged();
        if (marks.DoorsPending) doors.MarkChanged();
        marks.PolicyPending = marks.DoorsPending = false;
    }

    private void ForgetSaving(DbContext? context)
    {
        if (context is not null && _marks.TryGetValue(context, out var marks)) marks.PolicySaving = marks.DoorsSaving = false;
    }

    private void ForgetPending(DbContext? context)
    {
        if (context is not null && _marks.TryGetValue(context, out var marks)) marks.PolicyPending = marks.DoorsPending = false;
    }

    private static bool Changes(EntityEntry entry, HashSet<Type> types) =>
        types.Contains(entry.Metadata.ClrType) &&
        (entry.State is EntityState.Added or EntityState.Deleted ||
         (entry.State == EntityState.Modified && entry.Properties.Any(p => p.IsModified && !LiveFactProperties.Contains(p.Metadata.Name))));
}
