namespace Portier.Server.Features.Unlocks;

/// <summary>Unlocks live under the doors group.</summary>
public static class UnlocksRoutes
{
    public const string MemberUnlock = "/{id:guid}/unlock";
    public const string AdminOpen = "/{id:guid}/open";
}
