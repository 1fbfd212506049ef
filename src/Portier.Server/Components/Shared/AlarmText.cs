using Portier.Server.Features.Alarms;

namespace Portier.Server.Components.Shared;

/// <summary>An alarm kind in the console's plain words.</summary>
public static class AlarmText
{
    public static string Label(AlarmKind kind) => kind switch
    {
        AlarmKind.DoorForcedOpen => "forced open",
        AlarmKind.DoorHeldOpenWarning => "held open (warning)",
        AlarmKind.DoorHeldOpen => "held open",
        AlarmKind.InvalidCredentialBurst => "invalid credential burst",
        AlarmKind.WebhookEndpointDisabled => "webhook endpoint disabled",
        AlarmKind.RevocationFailed => "revocation failed",
        _ => kind.ToString(),
    };
}
