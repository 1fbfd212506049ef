using Portier.Core.Invites;

namespace Portier.Core.Tests.Invites;

public sealed class InviteLifecycleTests
{
    private static readonly ChannelAbilities BuiltIn = new(RemoteRevoke: true, Resync: false);
    private static readonly ChannelAbilities Webhook = new(RemoteRevoke: true, Resync: true);
    private static readonly ChannelAbilities Bare = new(RemoteRevoke: false, Resync: false);

    [Fact]
    public void Draft_OffersIssueAndCancel_IssueMovesToPending()
    {
        Assert.Equal([InviteAction.Issue, InviteAction.Cancel], InviteLifecycle.Available(InviteStatus.Draft, BuiltIn, false, false));
        Assert.Equal(InviteStatus.Pending, InviteLifecycle.After(InviteStatus.Draft, InviteAction.Issue));
        Assert.Equal("invalid_transition", InviteLifecycle.Check(InviteStatus.Draft, InviteAction.Accept, BuiltIn, false, false));
    }

    [Fact]
    public void Pending_WithCredentials_OffersWhatTheChannelCanDo()
    {
        Assert.Equal([InviteAction.Issue, InviteAction.Accept, InviteAction.Cancel, InviteAction.Revoke],
            InviteLifecycle.Available(InviteStatus.Pending, BuiltIn, true, false));
        Assert.Equal([InviteAction.Issue, InviteAction.Accept, InviteAction.Cancel, InviteAction.Resync, InviteAction.Revoke],
            InviteLifecycle.Available(InviteStatus.Pending, Webhook, true, false));
        Assert.Equal("channel_cannot_revoke", InviteLifecycle.Check(InviteStatus.Pending, InviteAction.Revoke, Bare, true, false));
        Assert.Equal("no_active_credentials", InviteLifecycle.Check(InviteStatus.Pending, InviteAction.Resync, Webhook, false, false));
    }

    [Fact]
    public void AwaitingApproval_RefusesReissue_UntilAccepted()
    {
        Assert.Equal("approval_required", InviteLifecycle.Check(InviteStatus.Pending, InviteAction.Issue, BuiltIn, false, true));
        Assert.Null(InviteLifecycle.Check(InviteStatus.Pending, InviteAction.Accept, BuiltIn, false, true));
        Assert.Equal(InviteStatus.Accepted, InviteLifecycle.After(InviteStatus.Pending, InviteAction.Accept));
    }

    [Theory]
    [InlineData(InviteStatus.Cancelled)]
    [InlineData(InviteStatus.Expired)]
    public void FinalStates_RefuseEveryAction(InviteStatus status)
    {
        Assert.Empty(InviteLifecycle.Available(status, Webhook, true, false));
        Assert.All(Enum.GetValues<InviteAction>(), a => Assert.Equal("invite_closed", InviteLifecycle.Check(status, a, Webhook, true, false)));
    }

    [Fact]
    public void EveryLiveState_CanBeCancelled_AndResyncOrRevokeKeepTheStatus()
    {
        foreach (var status in new[] { InviteStatus.Draft, InviteStatus.Pending, InviteStatus.Accepted })
        {
            Assert.Null(InviteLifecycle.Check(status, InviteAction.Cancel, Bare, false, false));
            Assert.Equal(InviteStatus.Cancelled, InviteLifecycle.After(status, InviteAction.Cancel));
            Assert.Equal(status, InviteLifecycle.After(status, InviteAction.Revoke));
            Assert.Equal(status, InviteLifecycle.After(status, InviteAction.Resync));
        }
    }

    [Fact]
    public void CheckMove_FollowsEveryActionTheLifecycleAllows()
    {
        foreach (var status in Enum.GetValues<InviteStatus>())
            foreach (var action in Enum.GetValues<InviteAction>())
                foreach (var channel in new[] { BuiltIn, Webhook, Bare })
                    foreach (var (live, awaiting) in new[] { (false, false), (true, false), (false, true), (true, true) })
                        if (InviteLifecycle.Check(status, action, channel, live, awaiting) is null)
                            Assert.Null(InviteLifecycle.CheckMove(status, InviteLifecycle.After(status, action)));
    }

    [Theory]
    [InlineData(InviteStatus.Draft, InviteStatus.Accepted)]
    [InlineData(InviteStatus.Pending, InviteStatus.Draft)]
    [InlineData(InviteStatus.Accepted, InviteStatus.Pending)]
    [InlineData(InviteStatus.Accepted, InviteStatus.Draft)]
    public void CheckMove_Backwards_OrSkippingIssue_IsAnInvalidTransition(InviteStatus from, InviteStatus to) =>
        Assert.Equal("invalid_transition", InviteLifecycle.CheckMove(from, to));

    [Theory]
    [InlineData(InviteStatus.Cancelled)]
    [InlineData(InviteStatus.Expired)]
    public void CheckMove_FromAFinalState_RefusesEveryStatus_EvenItsOwn(InviteStatus from) =>
        Assert.All(Enum.GetValues<InviteStatus>(), to => Assert.Equal("invite_closed", InviteLifecycle.CheckMove(from, to)));

    [Fact]
    public void CheckMove_EveryLiveState_MayExpireOrBeCancelled_AndFirstUseAcceptsOnlyPending()
    {
        foreach (var from in new[] { InviteStatus.Draft, InviteStatus.Pending, InviteStatus.Accepted })
        {
            Assert.Null(InviteLifecycle.CheckMove(from, InviteStatus.Expired));
            Assert.Null(InviteLifecycle.CheckMove(from, InviteStatus.Cancelled));
        }
        Assert.Null(InviteLifecycle.CheckMove(InviteStatus.Pending, InviteStatus.Accepted));
        Assert.NotNull(InviteLifecycle.CheckMove(InviteStatus.Draft, InviteStatus.Accepted));
    }
}
