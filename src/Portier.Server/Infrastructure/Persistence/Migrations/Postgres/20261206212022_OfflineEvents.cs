using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portier.Server.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OfflineEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "LastOfflineDecisionAt",
                table: "devices",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "OfflineEventsDropped",
                table: "devices",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "OfflineEventsUploaded",
                table: "devices",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<bool>(
                name: "OccurredOffline",
                table: "access_events",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "controller_events",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DeviceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    ReceivedAt = table.Column<long>(type: "bigint", nullable: false),
                    DoorId = table.Column<Guid>(type: "uuid", nullable: true),
                    ReaderId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    AccessEventId = table.Column<Guid>(type: "uuid", nullable: true),
                    Door = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    RequestToExit = table.Column<bool>(type: "boolean", nullable: true),
                    BundleVersion = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_controller_events", x => x.Id);
                    table.ForeignKey(
                        name: "FK_controller_events_devices_DeviceId",
                        column: x => x.DeviceId,
                        principalTable: "devices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_controller_events_DeviceId_Sequence",
                table: "controller_events",
                columns: new[] { "DeviceId", "Sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_controller_events_DoorId_At",
                table: "controller_events",
                columns: new[] { "DoorId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "controller_events");

            migrationBuilder.DropColumn(
                name: "LastOfflineDecisionAt",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "OfflineEventsDropped",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "OfflineEventsUploaded",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "OccurredOffline",
                table: "access_events");
        }
    }
}
