"""The manager's report charts (QtCharts): sales by hour, by category and the tender mix, over the
completed sales recorded in the store database between two UTC timestamps.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import QGridLayout, QWidget


def sales_by_hour(conn: sqlite3.Connection, since: str) -> list[int]:
    """Takings (fen) per local hour 0..23."""
    hours = [0] * 24
    for closed_at, total in conn.execute("SELECT closed_at, total FROM sale WHERE status = 'completed'"
                                         " AND closed_at >= ?", (since,)):
        hours[datetime.fromisoformat(closed_at).astimezone().hour] += total
    return hours


def sales_by_category(conn: sqlite3.Connection, since: str) -> list[tuple[str, int]]:
    return [(c, int(t)) for c, t in conn.execute(
        "SELECT p.category, sum(l.total) FROM sale_line l JOIN sale s ON s.id = l.sale_id"
        " LEFT JOIN product p ON p.sku = l.sku WHERE s.status = 'completed' AND s.closed_at >= ?"
        " GROUP BY p.category ORDER BY 2 DESC", (since,))]


def tender_mix(conn: sqlite3.Connection, since: str) -> list[tuple[str, int]]:
    return [(t, int(a)) for t, a in conn.execute(
        "SELECT t.type, sum(t.amount - CASE WHEN t.type = 'cash' THEN s.change ELSE 0 END)"
        " FROM sale_tender t JOIN sale s ON s.id = t.sale_id"
        " WHERE s.status = 'completed' AND s.closed_at >= ? GROUP BY t.type ORDER BY 2 DESC",
        (since,))]


# Text sizes in pixels at 1024×768 (ui/widgets/scaling.py): titles, then labels and legends.
TITLE_PX, LABEL_PX = 16, 13


class SalesCharts(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.views: list[QChartView] = []
        self.factor = 1.0

    def _view(self, chart: QChart) -> QChartView:
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        view = QChartView(chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.views.append(view)
        self._scale_view(view)
        return view

    def scale(self, factor: float) -> None:
        """Titles, axis labels, legends and slice labels at the screen's scale."""
        self.factor = factor
        for view in self.views:
            self._scale_view(view)

    def _scale_view(self, view: QChartView) -> None:
        chart = view.chart()
        title, label = QFont(chart.titleFont()), QFont(chart.legend().font())
        title.setPixelSize(round(TITLE_PX * self.factor))
        title.setBold(True)
        label.setPixelSize(round(LABEL_PX * self.factor))
        chart.setTitleFont(title)
        chart.legend().setFont(label)
        for axis in chart.axes():
            axis.setLabelsFont(label)
        for series in chart.series():
            if isinstance(series, QPieSeries):
                for piece in series.slices():
                    piece.setLabelFont(label)
        view.setMinimumHeight(round(220 * self.factor))

    def show_data(self, hours: list[int], categories: list[tuple[str, int]],
                  tenders: list[tuple[str, int]], tender_names: dict[str, str]) -> None:
        for view in self.views:
            self.grid.removeWidget(view)
            view.deleteLater()
        self.views.clear()
        bars = QBarSet(self.tr("Takings (yuan)"))
        first = next((h for h, v in enumerate(hours) if v), 8)
        last = max((h for h, v in enumerate(hours) if v), default=20)
        span = range(min(first, 8), max(last, 20) + 1)
        for h in span:
            bars.append(hours[h] / 100)
        series = QBarSeries()
        series.append(bars)
        chart = QChart()
        chart.setTitle(self.tr("Sales by hour"))
        chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append([f"{h:02d}" for h in span])
        axis_y = QValueAxis()
        axis_y.setLabelFormat("%.0f")
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
        chart.legend().hide()
        self.grid.addWidget(self._view(chart), 0, 0, 1, 2)
        for column, (title, rows) in enumerate(((self.tr("Sales by category"), categories),
                                                (self.tr("Tender mix"), tenders))):
            pie = QPieSeries()
            for name, amount in rows:
                label = tender_names.get(name, name) if rows is tenders else name
                pie.append(f"{label} {amount / 100:.0f}", amount / 100)
            chart = QChart()
            chart.setTitle(title)
            chart.addSeries(pie)
            self.grid.addWidget(self._view(chart), 1, column)
