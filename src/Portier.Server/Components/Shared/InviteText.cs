using Portier.Server.Components.Api;
using System.Globalization;
using MudBlazor;
using NodaTime;
using NodaTime.Text;
using Portier.Core.Invites;

namespace Portier.Server.Components.Shared;

/// <summary>How the invite screens word things: refused actions in plain words, statuses as colours, windows in the site's time zone.</summary>
public static class InviteText
{
    private const string InputPattern = "uuuu'-'MM'-'dd'T'HH':'mm";

    /// <summary>What a refused invite action or configuration change means, for the operator who tried it.</summary>
    public static string Problem(ApiProblem problem) => problem.Code switch
    {
        "invalid_transition" => "That step is not possible in the invite's current state.",
        "invite_closed" => "This invite is cancelled or expired; nothing more can be done with it.",
        "approval_required" => "This invite needs approval first: run Accept, which issues the credentials.",
        "no_active_credentials" => "The invite has no live credentials to act on. Issue them first.",
        "channel_cannot_revoke" => "The invite's channel cannot revoke credentials remotely.",
        "channel_cannot_resync" => "Only an external channel that syncs credentials can be resynced.",
        "visitor_email_missing" => "The visitor has no email address to send to.",
        "entry_type_in_use" => "Invites were made from this entry type, so it cannot be deleted. Set it inactive instead.",
        "channel_in_use" => "Invites were delivered through this channel, so it cannot be deleted. Set it inactive instead.",
        "channel_code_taken" => "Another channel already has this code.",
        "handler_immutable" => "A channel's handler cannot change; create another channel instead.",
        "gate_locked_out" => problem.Detail,
        "module_disabled" => "Access invites are switched off. Switch them on under Access settings.",
        _ => problem.Summary,
    };

    public static Color StatusColor(InviteStatus status) => status switch
    {
        InviteStatus.Draft => Color.Default,
        InviteStatus.Pending => Color.Info,
        InviteStatus.Accepted => Color.Success,
        InviteStatus.Cancelled => Color.Error,
        InviteStatus.Expired => Color.Warning,
        _ => Color.Default,
    };

    public static string Label(InviteAction action) => action switch
    {
        InviteAction.Issue => "Issue credential",
        InviteAction.Accept => "Accept",
        InviteAction.Cancel => "Cancel invite",
        InviteAction.Resync => "Resync",
        InviteAction.Revoke => "Revoke credentials",
        _ => action.ToString(),
    };

    /// <summary>A moment as the site's clock shows it.</summary>
    public static string At(DateTimeOffset at, string? timeZone) => SiteClock.Format(at, timeZone);

    public static string Window(DateTimeOffset from, DateTimeOffset until, string? timeZone) => $"{At(from, timeZone)} – {At(until, timeZone)}";

    /// <summary>A datetime-local input's text (the site's wall clock) as an instant; null when empty, unreadable or skipped by DST.</summary>
    public static DateTimeOffset? FromInput(string? text, string? timeZone) => SiteClock.Parse(text, timeZone, InputPattern);

    /// <summary>The start and end of a calendar day at the site, for "visiting on".</summary>
    public static (DateTimeOffset From, DateTimeOffset Until) Day(DateTime date, string? timeZone)
    {
        var zone = SiteClock.Zone(timeZone);
        var day = LocalDate.FromDateTime(date);
        return (zone.AtStartOfDay(day).ToDateTimeOffset(), zone.AtStartOfDay(day.PlusDays(1)).ToDateTimeOffset());
    }
}
