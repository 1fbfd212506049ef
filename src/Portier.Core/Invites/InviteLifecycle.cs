namespace Portier.Core.Invites;

/// <summary>
/// Where an invite stands. <see cref="Draft"/>: saved, nothing issued. <see cref="Pending"/>: sent
/// (credentials issued and delivered, or awaiting approval when the entry type needs it).
/// <see cref="Accepted"/>: approved by an operator or used at a gate. <see cref="Cancelled"/> and
/// <see cref="Expired"/> are final.
/// </summary>
public enum InviteStatus { Draft, Pending, Accepted, Cancelled, Expired }

/// <summary>The context actions an operator can run on an invite.</summary>
public enum InviteAction { Issue, Accept, Cancel, Resync, Revoke }

/// <summary>What the channel an invite is delivered through can do (the subset the actions depend on).</summary>
public readonly record struct ChannelAbilities(bool RemoteRevoke, bool Resync);

/// <summary>
/// The invite state machine, pure. <see cref="Available"/> answers which actions the detail view
/// offers; <see cref="Check"/> answers why one is refused (null = allowed). Transitions:
/// draft →issue→ pending; pending →accept (or first use)→ accepted; draft/pending/accepted →cancel→
/// cancelled; draft/pending/accepted →window passes→ expired. Issue in pending or accepted reissues.
/// <see cref="CheckMove"/> is the same machine seen as status changes; the invite entity refuses any other.
/// </summary>
public static class InviteLifecycle
{
    public static bool IsFinal(InviteStatus status) => status is InviteStatus.Cancelled or InviteStatus.Expired;

    /// <summary>Null when <paramref name="action"/> may run; otherwise a stable refusal code.</summary>
    public static string? Check(InviteStatus status, InviteAction action, ChannelAbilities channel, bool hasActiveCredentials, bool awaitingApproval)
    {
        if (IsFinal(status)) return "invite_closed";
        return action switch
        {
            InviteAction.Issue => awaitingApproval && status != InviteStatus.Draft ? "approval_required" : null,
            InviteAction.Accept => status == InviteStatus.Pending ? null : "invalid_transition",
            InviteAction.Cancel => null,
            InviteAction.Resync => !channel.Resync ? "channel_cannot_resync"
                : !hasActiveCredentials ? "no_active_credentials" : null,
            InviteAction.Revoke => !channel.RemoteRevoke ? "channel_cannot_revoke"
                : !hasActiveCredentials ? "no_active_credentials" : null,
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };
    }

    public static IReadOnlyList<InviteAction> Available(InviteStatus status, ChannelAbilities channel, bool hasActiveCredentials, bool awaitingApproval) =>
        Enum.GetValues<InviteAction>().Where(a => Check(status, a, channel, hasActiveCredentials, awaitingApproval) is null).ToList();

    /// <summary>
    /// Null when an invite may move from <paramref name="from"/> to <paramref name="to"/>; otherwise
    /// <c>invite_closed</c> (from a final state) or <c>invalid_transition</c>. Staying in a live state
    /// is allowed (a reissue, resync or revoke keeps the status); every live state may be cancelled or expire.
    /// </summary>
    public static string? CheckMove(InviteStatus from, InviteStatus to)
    {
        if (IsFinal(from)) return "invite_closed";
        var allowed = to switch
        {
            InviteStatus.Draft => from == InviteStatus.Draft,
            InviteStatus.Pending => from is InviteStatus.Draft or InviteStatus.Pending,
            InviteStatus.Accepted => from is InviteStatus.Pending or InviteStatus.Accepted,
            InviteStatus.Cancelled or InviteStatus.Expired => true,
            _ => throw new ArgumentOutOfRangeException(nameof(to)),
        };
        return allowed ? null : "invalid_transition";
    }

    /// <summary>The status after <paramref name="action"/> succeeds.</summary>
    public static InviteStatus After(InviteStatus status, InviteAction action) => action switch
    {
        InviteAction.Issue => status == InviteStatus.Draft ? InviteStatus.Pending : status,
        InviteAction.Accept => InviteStatus.Accepted,
        InviteAction.Cancel => InviteStatus.Cancelled,
        InviteAction.Resync or InviteAction.Revoke => status,
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };
}
