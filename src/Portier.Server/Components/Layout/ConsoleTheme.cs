using MudBlazor;

namespace Portier.Server.Components.Layout;

public static class ConsoleTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#1f5f8b", Secondary = "#2e7d5b", AppbarBackground = "#17324d" },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "220px" },
    };
}
