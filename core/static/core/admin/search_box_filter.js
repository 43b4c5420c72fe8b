'use strict';
// The search-box list filters (core/admin.py): the related-object ones are started by the
// admin's own autocomplete.js (class "admin-autocomplete"); the ones with a fixed list of
// choices become a local select2 here. Choosing a value (or clearing it) sends the filter.
{
    const $ = django.jQuery;
    $(function() {
        $('#changelist-filter select.ll-search-select').select2({width: '100%'});
        $('#changelist-filter .ll-filter-box select').on('select2:select select2:clear', function() {
            this.form.submit();
        });
    });
}
