namespace Portier.Server.Features.Devices;

public static class DevicesRoutes
{
    public const string Group = "devices";
    public const string StatusChanges = "/{id:guid}/status-changes";
    public const string Commands = "/{id:guid}/commands";
    public const string PairingCode = "/{id:guid}/pairing-code";
    public const string Pair = "/pair";
    public const string Readers = "/{id:guid}/readers";
    public const string Reader = "/{id:guid}/readers/{readerId}";
}
